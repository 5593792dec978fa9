"""Forecast a desk's volume from its ticket history (``simdesk forecast``).

:mod:`~simdesk.forecast.counts` counts the history per channel and day;
:mod:`~simdesk.forecast.model` fits each channel's daily volume (trend, weekday, yearly
season, holidays) and draws its predictive distribution; :mod:`~simdesk.forecast.backtest`
scores it on held-out weeks against seasonal-naive; :mod:`~simdesk.forecast.forecast`
puts them together; :mod:`~simdesk.forecast.scenario` turns a forecast into a scenario's
arrivals; :mod:`~simdesk.forecast.holidays` reads ``--holidays``.
"""
