"""Recipes and the image store: a modified image is refused with a hint to rebuild."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from sandbox_launcher.backends.vm import image as images
from sandbox_launcher.backends.vm.errors import ImageError
from sandbox_launcher.backends.vm.recipe import images_dir, list_recipes, load_recipe


def _fake_image(store: Path, name: str = "default") -> Path:
    """An image folder laid out as build_image leaves it (the contents are stand-ins)."""
    folder = store / name
    folder.mkdir(parents=True)
    files = {}
    for fname in images.IMAGE_FILES:
        data = f"{fname} contents".encode()
        (folder / fname).write_bytes(data)
        files[fname] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    (folder / images.MANIFEST).write_text(json.dumps({"name": name, "files": files}))
    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)
    return folder


def test_the_shipped_recipes_load_and_copy_the_agent() -> None:
    assert {"default", "test"} <= set(list_recipes())
    for name in ("default", "test"):
        recipe = load_recipe(name)
        guest_paths = {guest for guest, _host in recipe.files}
        assert "/usr/local/sbin/slt-init" in guest_paths
        assert "linux-image-amd64" in recipe.packages
        assert len(recipe.digest()) == 64


def test_the_recipe_hash_follows_the_agent(tmp_path: Path) -> None:
    import shutil
    root = tmp_path / "images"
    shutil.copytree(images_dir(), root)
    before = load_recipe("test", root).digest()
    (root / "agent" / "slt_agent.py").write_text("# changed\n")
    assert load_recipe("test", root).digest() != before


def test_unknown_recipe_and_unknown_keys_are_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="no image recipe") as missing:
        load_recipe("nope")
    assert "default" in missing.value.hint
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "bad.toml").write_text('name = "bad"\nfirmware = true\n')
    with pytest.raises(ImageError, match="unknown keys firmware"):
        load_recipe("bad", tmp_path)


def test_verify_accepts_an_intact_image_and_refuses_each_kind_of_change(tmp_path: Path) -> None:
    store = tmp_path / "store"
    folder = _fake_image(store)
    assert images.verify_image("default", store).path == folder
    kernel = folder / "vmlinuz"
    kernel.chmod(0o644)
    with pytest.raises(ImageError, match="writable"):
        images.verify_image("default", store)
    kernel.write_bytes(b"evil kernel")
    kernel.chmod(0o444)
    with pytest.raises(ImageError, match="modified: vmlinuz") as modified:
        images.verify_image("default", store)
    assert "image build default" in modified.value.hint


def test_an_extra_file_and_a_missing_image_are_refused(tmp_path: Path) -> None:
    store = tmp_path / "store"
    folder = _fake_image(store)
    folder.chmod(0o755)
    (folder / "planted.so").write_text("x")
    with pytest.raises(ImageError, match=r"unexpected files: planted\.so"):
        images.verify_image("default", store)
    with pytest.raises(ImageError, match="not built") as missing:
        images.verify_image("other", store)
    assert missing.value.hint == "build it: sandbox-launcher image build other"


def test_list_and_remove(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _fake_image(store, "a")
    _fake_image(store, "b")
    assert [i.name for i in images.list_images(store)] == ["a", "b"]
    images.remove_image("a", store)
    assert [i.name for i in images.list_images(store)] == ["b"]
    assert sorted(p.name for p in store.iterdir()) == ["b"]
    with pytest.raises(ImageError, match="no built guest image"):
        images.remove_image("a", store)


def test_the_build_command_is_unprivileged_and_exports_through_the_user(tmp_path: Path) -> None:
    argv = images.mmdebstrap_argv(load_recipe("test"), tmp_path)
    assert argv[:3] == ["mmdebstrap", "--mode=unshare", "--format=null"]
    assert not any("sudo" in a for a in argv)
    downloads = [a for a in argv if a.startswith("--customize-hook=download ")]
    assert len(downloads) == 3 and all(str(tmp_path) in a for a in downloads)
    # The initrd loads its modules by name and has no udev (its coldplug costs seconds
    # under software emulation); a script of ours moves /dev as udev's did.
    assert (tmp_path / "initramfs-modules").read_text() == "virtio_pci\nvirtio_blk\next4\n"
    excluded = {a.split("=", 2)[2] for a in argv if a.startswith("--dpkgopt=path-exclude=")}
    assert {"/usr/share/initramfs-tools/hooks/udev",
            "/usr/share/initramfs-tools/scripts/init-bottom/udev"} <= excluded
    moves = (tmp_path / "initramfs-dev").read_text()
    assert 'mount -n -o move /dev "${rootmnt:?}/dev"' in moves
    assert any(a.endswith("/etc/initramfs-tools/scripts/init-bottom/sandbox-launcher-dev")
               for a in argv if a.startswith("--essential-hook=upload "))


def test_an_image_with_an_unpacked_kernel_boots_it_and_verifies_it(tmp_path: Path) -> None:
    store = tmp_path / "store"
    folder = _fake_image(store, "old")
    assert images.verify_image("old", store).kernel == folder / "vmlinuz"
    folder.chmod(0o755)
    (folder / "vmlinux").write_bytes(b"elf")
    with pytest.raises(ImageError, match="unexpected files: vmlinux"):
        images.verify_image("old", store)  # not in the manifest: planted
    manifest = json.loads((folder / images.MANIFEST).read_text())
    manifest["files"]["vmlinux"] = {"sha256": hashlib.sha256(b"elf").hexdigest(), "size": 3}
    (folder / images.MANIFEST).chmod(0o644)
    (folder / images.MANIFEST).write_text(json.dumps(manifest))
    (folder / "vmlinux").chmod(0o444)
    assert images.verify_image("old", store).kernel == folder / "vmlinux"
    (folder / "vmlinux").chmod(0o644)
    (folder / "vmlinux").write_bytes(b"elg")
    (folder / "vmlinux").chmod(0o444)
    with pytest.raises(ImageError, match="modified: vmlinux"):
        images.verify_image("old", store)
