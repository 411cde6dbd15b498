"""``/ke-hoach`` (the planning page) opened first after a restart: runs the whole app.

Until a session has called ``st.navigation``, Streamlit serves ``pages/<name>.py`` at
``/<name>`` (its legacy ``pages/`` mode). This file gives the bookmark the app shell,
which then opens the page registered at this address; see app.py.
"""

from app import main

main()
