import io
import zipfile

import pytest

from training.base_models import resolve_base_model, split_zip_parts, unpack_split_zip


def split_model_zip(tmp_path, pieces: int = 3):
    """A zip of a model folder (config.json, weights) cut into ``pieces`` files, as the
    packages of a split model ship it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("all-mpnet-base-v2/config.json", '{"model_type": "mpnet"}')
        archive.writestr("all-mpnet-base-v2/model.safetensors", b"\x00" * 5000)
        archive.writestr("all-mpnet-base-v2/1_Pooling/config.json", "{}")
    data = buffer.getvalue()
    size = -(-len(data) // pieces)
    parts = []
    for index in range(pieces):
        part = tmp_path / f"model.zip.{index + 1:03d}"
        part.write_bytes(data[index * size:(index + 1) * size])
        parts.append(part)
    return parts


def test_split_pieces_join_into_the_model_folder_once(tmp_path):
    destination = tmp_path / "cache" / "all-mpnet-base-v2"
    assert unpack_split_zip(split_model_zip(tmp_path), destination) == destination
    assert (destination / "config.json").read_text() == '{"model_type": "mpnet"}'
    assert (destination / "model.safetensors").stat().st_size == 5000
    assert (destination / "1_Pooling" / "config.json").is_file()
    assert [p.name for p in destination.parent.iterdir()] == ["all-mpnet-base-v2"]  # no scratch left
    (destination / "marker").write_text("kept")
    unpack_split_zip([tmp_path / "missing.001"], destination)  # already there: nothing is read
    assert (destination / "marker").is_file()


def test_a_zip_without_a_model_is_refused_and_leaves_nothing(tmp_path):
    part = tmp_path / "x.zip.001"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "no model here")
    part.write_bytes(buffer.getvalue())
    with pytest.raises(FileNotFoundError, match="no config.json"):
        unpack_split_zip([part], tmp_path / "cache" / "model")
    assert not (tmp_path / "cache" / "model").exists()


def test_missing_packages_name_the_make_target():
    with pytest.raises(FileNotFoundError, match="make teacher"):
        split_zip_parts(("warlens-no-such-model-part-001",))


def test_local_directories_and_hub_ids_resolve_as_before(tmp_path):
    assert resolve_base_model(str(tmp_path)) == str(tmp_path.resolve())
    assert resolve_base_model("someone/some-model") == "someone/some-model"
