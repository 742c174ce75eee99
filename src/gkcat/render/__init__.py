"""Renderers: text, JSON, diff; xlsx/ workbooks; site/ pages. They return content and write nothing."""
