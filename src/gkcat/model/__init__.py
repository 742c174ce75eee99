"""The file formats (pydantic), their vocabulary, pydantic errors as diagnostics, JSON Schemas, the modelled project."""
