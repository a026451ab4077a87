"""AppTest tests of each page in pages/, one file per page."""
