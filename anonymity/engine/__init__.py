"""Pure functions that measure re-identification risk on a dataset extract.

Nothing here touches the database: the management command, the web pages and the API
all call :func:`anonymity.engine.assess.assess_frame` and store what it returns.
"""
