"""sandbox-launcher: run untrusted conferencing clients in throwaway sandboxes."""
__version__ = "0.1.0"
