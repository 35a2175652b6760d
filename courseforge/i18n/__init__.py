"""Localization: message extraction, catalogs, statistics, checks, pseudo-locales and XLIFF exchange."""
