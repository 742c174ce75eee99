"""The static site: pages and tables as views, jinja templates, the search index."""
