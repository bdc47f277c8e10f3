"""The desktop window of Pluk: the only package that imports PySide6.

app.py starts Qt, main_window.py composes the panels, session.py holds the state of one window
(inputs, task, model, the current run) and engine_worker.py runs jobs on their own QThread.
Everything else is one panel or dialog per module, talking to the core in pluk.core.
"""
