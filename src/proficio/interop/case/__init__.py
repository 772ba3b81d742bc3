"""CASE 1.0/1.1: import a CFPackage into a framework, export one, serve CASE REST."""
