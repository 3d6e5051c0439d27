"""Peripherals a session may be granted: display, camera, share folder, D-Bus (DESIGN §3).

``plan`` decides (pure, at plan time, refusing what cannot or must not be granted);
``host`` starts the host-side helpers (nested X server, D-Bus proxy) for one session and
stops them again. Nothing here imports a backend: the backends turn :class:`host.Mount`
values into their own options.
"""
