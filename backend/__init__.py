"""Clipscope: upload a video, get it analysed in the background, poll or get a push.

The web application is built by `backend.app.create_app`. This package file imports nothing,
so a process that needs only a part (the analysis child, a tool, a bench) does not load Flask
and every web module with it (~60 MB and ~1 s in each analysis process).
"""
