"""Date formats by language (FORMAT_MODULE_PATH): English reads "6 December 2026"; other
languages keep Django's (Spanish: "6 de diciembre de 2026")."""
