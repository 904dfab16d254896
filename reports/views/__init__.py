"""The view-model: for each page, what a role may see under a filter, already passed through
``reports.privacy.access``. Pages, maps, charts, downloads and the handout draw only from here.
"""
