"""The disposable-VM backend: images (image.py, recipe.py), the guest agent's protocol
(protocol.py), domain XML (domain.py), one VM through libvirt (machine.py), its NIC in the
session's jail (network.py), the warm pool (pool.py) and the backend class (backend.py)."""
