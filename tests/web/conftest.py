"""tests/web's fixtures: the real `minicrm web` process and its mail sink (tests/websites.py,
shared with the web fuzz suite in tests/suites)."""
from websites import Site, config_path, sink, site, web_port, web_settings  # noqa: F401
