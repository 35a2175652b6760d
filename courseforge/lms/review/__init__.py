"""The review LMS: a local LMS where authors and reviewers try each course version as a learner."""
