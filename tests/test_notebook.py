"""notebooks/compare_retrieval_configs.ipynb: committed clean, and it runs end to end.

The notebook is executed for real (a Jupyter kernel running this interpreter, the real desk,
Chroma and MLflow on SQLite) on the first few dev dialogues. Building the knowledge base dominates a
cold run, so the built index (Chroma folder, embedding cache, the harness's completion marker) is kept
in pytest's cache folder between sessions; the harness rebuilds it whenever the articles change.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pytest

from eval.tracking import read_sweep_spec

if TYPE_CHECKING:
    import pandas as pd

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "compare_retrieval_configs.ipynb"
GRID_FILE = REPO / "datasets" / "sweeps" / "notebook_grid.yaml"
INDEX_FOLDERS = ("chroma", "knowledge", "eval-cache")  # inside the data folder: what eval.kb_cache reuses
LIMIT = 3


def read_notebook() -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK, as_version=4)


def test_notebook_is_stored_without_outputs_and_with_a_parameters_cell() -> None:
    notebook = read_notebook()
    nbformat.validate(notebook)
    assert notebook.nbformat == 4
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(not cell.outputs and cell.execution_count is None for cell in code)
    tagged = [cell for cell in code if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert "NOTEBOOK_LIMIT" in tagged[0].source and "NOTEBOOK_DATA_DIR" in tagged[0].source
    first = code[0].source
    assert code.index(tagged[0]) == 1 and "HF_HUB_OFFLINE" in first and "MLFLOW_DISABLE_TELEMETRY" in first


def write_kernelspec(folder: Path) -> Path:
    """A kernelspec that starts this very interpreter (the venv's), whatever ~/.local holds."""
    spec = folder / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (test)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    return folder


def execute(notebook: nbformat.NotebookNode, kernels: Path, environment: dict[str, str]) -> float:
    """Run every cell with `environment` set, in a kernel from `kernels`, in notebooks/ as Jupyter
    would; raises on a cell error. Returns the seconds it took."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    specs = KernelSpecManager(kernel_dirs=[str(kernels)])
    manager = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=specs)
    client = NotebookClient(
        notebook, km=manager, timeout=240, resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    started = time.perf_counter()
    with pytest.MonkeyPatch.context() as patch:  # the kernel inherits this process's environment
        for name in [n for n in os.environ if n.startswith(("SUPPORT_", "NOTEBOOK_"))]:
            patch.delenv(name)
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        for name, value in environment.items():
            patch.setenv(name, value)
        client.execute(cleanup_kc=True)  # a kernel manager handed in is not shut down unless asked
    return time.perf_counter() - started


def kept_index(config: pytest.Config) -> Path | None:
    """Where the built index survives between sessions (None with `-p no:cacheprovider`)."""
    cache = getattr(config, "cache", None)
    return None if cache is None else cache.mkdir("notebook-index")


def copy_index(source: Path, target: Path) -> None:
    for name in INDEX_FOLDERS:
        if (source / name).is_dir():
            shutil.rmtree(target / name, ignore_errors=True)
            shutil.copytree(source / name, target / name)


def outputs(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [output for cell in notebook.cells for output in cell.get("outputs", [])]


def outputs_text(notebook: nbformat.NotebookNode) -> str:
    return "\n".join(
        out.get("text", "") or out.get("data", {}).get("text/plain", "") for out in outputs(notebook)
    )


@dataclass
class Executed:
    notebook: nbformat.NotebookNode
    data_dir: Path
    seconds: float

    @property
    def ranked(self) -> pd.DataFrame:
        import pandas as pd

        return pd.read_csv(self.data_dir / "ranked.csv")


@pytest.fixture(scope="module")
def kernels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_kernelspec(tmp_path_factory.mktemp("kernels"))


@pytest.fixture(scope="module")
def swept(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest, kernels: Path
) -> Executed:
    """The notebook run once as CI runs it: a fresh data folder, the first few dialogues."""
    data_dir = tmp_path_factory.mktemp("notebook") / "data"
    data_dir.mkdir()
    kept = kept_index(request.config)
    if kept is not None:
        copy_index(kept, data_dir)
    notebook = read_notebook()
    environment = {"NOTEBOOK_LIMIT": str(LIMIT), "NOTEBOOK_DATA_DIR": str(data_dir), "NOTEBOOK_PROGRESS": "0"}
    seconds = execute(notebook, kernels, environment)
    if kept is not None:
        copy_index(data_dir, kept)
    return Executed(notebook, data_dir, seconds)


@pytest.mark.slow
def test_notebook_sweeps_the_grid_and_ranks_every_configuration(swept: Executed) -> None:
    ranked = swept.ranked
    print(f"\nnotebook executed in {swept.seconds:.1f}s\n{ranked.round(3).to_string(index=False)}")
    assert not [out for out in outputs(swept.notebook) if out.output_type == "error"]
    assert len(ranked) == len(read_sweep_spec(GRID_FILE).combinations()) == 6
    assert set(zip(ranked["retrieval_mode"], ranked["top_k"], strict=True)) == {
        (mode, k) for mode in ("dense", "bm25", "hybrid") for k in (3, 5)
    }
    assert list(ranked["rank"]) == list(range(1, 7)) and ranked["run_id"].is_unique
    assert ranked["recall@5"].is_monotonic_decreasing
    assert ranked["recall@5"].between(0, 1).all() and ranked["MRR@10"].between(0, 1).all()
    assert (ranked["latency p95 (ms)"] > 0).all()
    assert (swept.data_dir / "charts.png").stat().st_size > 10_000
    text = outputs_text(swept.notebook)
    assert "swept 6 configurations" in text and "6 configurations ranked by retrieval/recall@5" in text
    assert ranked.iloc[0]["configuration"] in text
    assert any(out.get("data", {}).get("image/png") for out in outputs(swept.notebook))


@pytest.mark.slow
def test_notebook_compares_logged_runs_without_sweeping_again(
    swept: Executed, kernels: Path, tmp_path: Path
) -> None:
    notebook = read_notebook()
    environment = {
        "NOTEBOOK_DATA_DIR": str(tmp_path / "data"),
        "NOTEBOOK_TRACKING_URI": f"sqlite:///{swept.data_dir / 'mlflow.db'}",
    }
    execute(notebook, kernels, environment)
    again = Executed(notebook, tmp_path / "data", 0.0)
    text = outputs_text(notebook)
    assert "read 6 logged runs" in text and "swept" not in text
    assert not (again.data_dir / "sweep").exists()
    columns = ["run_id", "configuration", "recall@5", "MRR@10", "latency p95 (ms)"]
    first = swept.ranked[columns].set_index("run_id").sort_index()
    assert again.ranked[columns].set_index("run_id").sort_index().equals(first)
