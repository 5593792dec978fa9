"""CSV a spreadsheet opens as data, never as a formula.

A cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) is run as a
formula by Excel, LibreOffice and Google Sheets when the CSV is opened ("CSV injection").
Names in a scenario — channels, tiers, topics, policies, sweep values — reach the CSV
outputs verbatim, so text cells that start so are prefixed with an apostrophe, which the
spreadsheet shows as text (OWASP's advice). Numbers are untouched.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_text(value: Any) -> Any:
    """``value`` with an apostrophe in front when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every risky text cell (and column name) neutralised; the same
    frame when there is none."""
    changed: dict[Any, pd.Series] = {}
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            categories = series.cat.categories
            if categories.dtype == object or pd.api.types.is_string_dtype(categories):
                fixed = [neutralise_text(c) for c in categories]
                if fixed != list(categories):
                    changed[column] = series.cat.rename_categories(fixed)
        elif series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            mask = series.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))
            if bool(mask.any()):
                changed[column] = series.map(neutralise_text)
    names = [neutralise_text(c) for c in frame.columns]
    if not changed and names == list(frame.columns):
        return frame
    frame = frame.assign(**{str(k): v for k, v in changed.items()}) if changed else frame.copy()
    frame.columns = names
    return frame
