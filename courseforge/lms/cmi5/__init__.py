"""The cmi5 (Quartz) LMS side over the embedded LRS: course structures, launches, strict mode.

``structure`` reads cmi5.xml; ``launch`` and ``statements`` are the pure launch URL, LaunchData and LMS
statements; ``moveon`` and ``rules`` the satisfaction and AU statement rules; ``ledger`` rebuilds a
registration from the stored statements; ``service.Cmi5Lms`` and ``app`` are the stateful edge.
"""
