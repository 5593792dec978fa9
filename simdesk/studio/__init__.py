"""``simdesk studio``: a what-if page in the browser over the library.

The page is a thin shell: validation is :func:`simdesk.scenario.load.validate_scenario`
(same messages as ``simdesk validate``), runs are :func:`simdesk.simulation.simulate`,
plans are compared with :class:`simdesk.experiments.compare.Comparison` on the same seed,
staffing is :func:`simdesk.staffing.search.staff`, figures are the report's builders and
downloads are :func:`simdesk.report.write_report`. Modules, one concept each:

- :mod:`~simdesk.studio.workspace` the folder: the only place files are read or saved;
- :mod:`~simdesk.studio.textedit` one scalar of the YAML text changed in place;
- :mod:`~simdesk.studio.checking` live validation of the text;
- :mod:`~simdesk.studio.form` which values the form shows, and a weekly profile;
- :mod:`~simdesk.studio.jobs` one background job at a time, with progress and cancel;
- :mod:`~simdesk.studio.work` what the buttons run (a run, the plans, staffing);
- :mod:`~simdesk.studio.state` the server's state;
- :mod:`~simdesk.studio.layout`, :mod:`~simdesk.studio.views`,
  :mod:`~simdesk.studio.callbacks` the page;
- :mod:`~simdesk.studio.app` the Dash app; :mod:`~simdesk.studio.server` its loopback
  server.

Dash is imported only here, never when the CLI starts.
"""
