"""The desktop app (PySide6 only): main window, launch panel, editor, sessions, tray.

Nothing here starts processes or touches sandboxes: it calls the app service
(:class:`sandbox_launcher.session.service.SessionService`) from worker threads and
receives its events as Qt signals (:mod:`.bridge`). The service is passed in, never global.
"""
