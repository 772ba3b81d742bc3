"""`proficio backup` and `proficio restore`: the whole site in one checked archive.

A consistent copy of the database taken while the site runs, the home's files (secret key,
uploads, import shelves) and a manifest with a checksum of each, in one private tar.gz;
restored only into an empty home, and only once every byte has been checked. It knows no app:
it copies tables and files, and leaves their meaning to the migrations.
"""
