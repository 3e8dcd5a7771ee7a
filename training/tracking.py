"""MLflow tracking: where runs go, and the table `warlens runs` prints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DEFAULT_STORE_DIR = "mlruns"


def tracking_uri(configured: str | None = None) -> str:
    """The URI given (config, else `MLFLOW_TRACKING_URI` from the settings), else SQLite in ./mlruns."""
    if configured:
        return configured
    store = Path.cwd() / DEFAULT_STORE_DIR
    store.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{store / 'mlflow.db'}"


def use_experiment(uri: str, name: str) -> str:
    """Point MLflow at ``uri`` and make ``name`` the active experiment; returns its id."""
    import mlflow

    mlflow.set_tracking_uri(uri)
    experiment = mlflow.get_experiment_by_name(name)
    if experiment is not None:
        mlflow.set_experiment(name)
        return experiment.experiment_id
    artifact_location = None
    if uri.startswith("sqlite:///"):
        artifact_location = (Path(uri.removeprefix("sqlite:///")).parent / "artifacts").as_uri()
    experiment_id = mlflow.create_experiment(name, artifact_location=artifact_location)
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


def list_runs(uri: str) -> list[dict[str, Any]]:
    """All runs of all experiments, newest first, as plain rows for the runs table."""
    import mlflow
    from mlflow.entities import ViewType

    mlflow.set_tracking_uri(uri)
    client = mlflow.MlflowClient()
    experiments = client.search_experiments(view_type=ViewType.ACTIVE_ONLY)
    if not experiments:
        return []
    runs = client.search_runs(
        [e.experiment_id for e in experiments], order_by=["attributes.start_time DESC"]
    )
    names = {e.experiment_id: e.name for e in experiments}
    rows = []
    for run in runs:
        metrics, params = run.data.metrics, run.data.params
        rows.append(
            {
                "run_id": run.info.run_id,
                "experiment": names.get(run.info.experiment_id, "?"),
                "config": params.get("name", run.info.run_name or ""),
                "start_time": run.info.start_time,
                "status": run.info.status,
                "data_hash": run.data.tags.get("data_hash", ""),
                "macro_f1": metrics.get("test_macro_f1"),
                "accuracy": metrics.get("test_accuracy"),
                "wall_time_s": metrics.get("wall_time_s"),
            }
        )
    return rows
