"""The bundled tables, installed as ``weaponsdb.data`` so they travel with the package."""
