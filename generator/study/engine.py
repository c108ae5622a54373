"""Running a study's runs and keeping their rows: in this process, or on a Dask cluster.

One row per finished run is added to the study's table (:class:`generator.study.store.StudyTable`,
a CSV on the machine that launched the study) as soon as the run finishes, wherever it ran; the
table is the study's memory, so an interrupted study resumes by skipping the runs whose rows are
there. The CSV is rewritten atomically with each row (:mod:`dualgan.table`): it only ever holds
complete rows.

Two engines, one contract (``run_*(configs, csv_path, ...) -> (ran, skipped)``):

* :func:`run_in_process` — one run after another in this process (no extra dependency);
* :func:`run_on_cluster` — the runs as tasks of a Dask ``distributed`` client: a
  ``LocalCluster`` of single-threaded workers started here (:func:`dask_client` with ``jobs``),
  or a running scheduler anywhere (with ``scheduler``; workers started with ``dask worker``, or
  by dask-jobqueue). Both cluster kinds take the same code path, and the workers import this
  installed module like any other. A run that fails, or whose worker dies, is recorded as failed
  with its error and is retried once; the rest goes on. Ctrl-C cancels the outstanding runs and
  keeps the finished rows.

:func:`run_study` chooses between them as a script's options say (:func:`add_arguments`:
``--jobs N`` or ``--scheduler ADDRESS``, else in process).
"""

import contextlib

import torch
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from dual import calibration
from dualgan.validation import check_positive, check_positive_int

from ..evaluation.suites import suite
from ..methods.registry import METHODS
from ..runs.config import RunConfig
from .run import run_one
from .store import StudyTable, config_key

WARM_UP_METHODS = tuple(METHODS)  # every registered method: a study may run any of them
RETRIES = 1  # a failed run (an error, or its worker died) is tried once more
# Preloaded (as module text) into the worker processes of a local cluster: they are in this
# terminal's process group, so Ctrl-C reaches them too, and the study, not each worker, handles it.
IGNORE_CTRL_C = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"


def pending(configs, csv_path):
    """The configs whose runs are not in the table yet, and how many are."""
    done = StudyTable(csv_path).finished()
    todo = [c for c in configs if config_key(c) not in done]
    return todo, len(configs) - len(todo)


# --------------------------------------------------------------------------- a worker's set-up


def worker_init(warm_up=True):
    """One torch thread and one BLAS thread (the workers provide the parallelism), then
    optionally a warm-up. A run's numbers depend on the thread counts (the order of floating-point
    sums), so every engine runs every run with one of each: the same seed gives the same row
    wherever it runs.

    With ``warm_up``, one 1-step run of each method pays the process's one-time costs (lazy
    imports, first torch kernels, about 2 s), so that ``wall_seconds`` of the real runs measures
    the runs alone.
    """
    torch.set_num_threads(1)
    threadpool_limits(limits=1)
    calibration.reload()  # form="auto" chooses by the one-thread constants, as every engine does
    if warm_up:
        for method in WARM_UP_METHODS:
            run_one(RunConfig.from_preset(method, "ring", steps=1, batch_size=8, num_features=8))


def _describe(row):
    """The progress bar's line for a finished run: its method, rate, seed, status, and how much
    its generator covered (modes or classes, as the target's suite counts them)."""
    covered = suite(row["target"]).covered
    return (f"{row['method']} lr={float(row['lr']):g} seed={row['seed']}: {row['status']}, "
            f"{row.get(covered)} {covered.split('_')[0]}")


# --------------------------------------------------------------------------- the engines


def run_in_process(configs, csv_path, progress=True, run=None):
    """Run the configs not in the table at ``csv_path`` yet, one after another, here.

    ``run`` defaults to :func:`generator.study.run.run_one`. Returns (ran, skipped).
    """
    run = run_one if run is None else run
    todo, skipped = pending(configs, csv_path)
    if not todo:
        return 0, skipped
    table = StudyTable(csv_path)
    threads = torch.get_num_threads()
    try:
        with threadpool_limits(limits=1), tqdm(total=len(todo), desc="runs",
                                                disable=not progress) as bar:
            worker_init()
            for config in todo:
                row = run(config)
                table.append(row)
                bar.set_postfix_str(_describe(row))
                bar.update(1)
    finally:
        torch.set_num_threads(threads)
        calibration.reload()  # the constants of the thread count restored
    return len(todo), skipped


def _worker_init_plugin(warm_up):
    """A Dask worker plugin running :func:`worker_init` on every worker, restarted ones too."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class WorkerInit(WorkerPlugin):
        def setup(self, worker):
            worker_init(warm_up)

    return WorkerInit()


class SchedulerUnreachable(OSError):
    """No Dask scheduler answered at the given address."""


def check_cluster(scheduler=None, jobs=None, connect_timeout=10.0):
    """Refuse cluster settings :func:`dask_client` cannot use (``ValueError``/``TypeError``):
    both a scheduler and a number of local workers, ``jobs`` < 1, a timeout that is not > 0."""
    if scheduler is not None and jobs is not None:
        raise ValueError(f"jobs starts a local cluster and scheduler names a running one: give "
                         f"one of them, got jobs={jobs} and scheduler={scheduler!r}")
    if jobs is not None:
        check_positive_int(jobs, "jobs")
    check_positive(connect_timeout, "connect_timeout")


@contextlib.contextmanager
def dask_client(scheduler=None, jobs=None, connect_timeout=10.0):
    """A ``distributed.Client``: to the scheduler at ``scheduler``, or to a new ``LocalCluster``
    of ``jobs`` single-threaded worker processes. Closed (and the cluster shut down) on exit.

    A cluster started here lets a worker die only once per task (``allowed-failures`` 0), so that
    a failed run is recorded and retried by the study's own rule, and its workers ignore Ctrl-C
    (the study cancels their runs); a user's scheduler keeps its own settings.

    Raises
    ------
    ImportError
        dask.distributed is not installed (the ``cluster`` extra).
    ValueError, TypeError
        Settings refused by :func:`check_cluster`.
    SchedulerUnreachable
        The scheduler did not answer within ``connect_timeout`` seconds (message names it).
    """
    check_cluster(scheduler, jobs, connect_timeout)
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise ImportError("running on a cluster needs dask.distributed: pip install "
                          "'dualgan[cluster]' (or 'dask[distributed]')") from None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=f"{connect_timeout}s")
        except OSError as err:
            raise SchedulerUnreachable(f"no Dask scheduler answered at {scheduler!r} within "
                          f"{connect_timeout:g} s ({err}); start one with 'dask scheduler' "
                          f"and check the address") from None
        cluster = None
    else:
        with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
            cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=40,
                                   preload=[IGNORE_CTRL_C])
            client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_on_cluster(configs, csv_path, client, progress=True, run=None, warm_up=True):
    """Run the configs not in the CSV yet as tasks of ``client``; rows stream into the CSV.

    A run whose row says ``"error"``, or whose worker died, is recorded (status ``"error"``, with
    the error) and submitted once more. Ctrl-C cancels what is outstanding and re-raises, the
    finished rows being on disk already. Returns (ran, skipped).
    """
    from distributed import as_completed

    run = run_one if run is None else run
    todo, skipped = pending(configs, csv_path)
    if not todo:
        return 0, skipped
    table = StudyTable(csv_path)
    with threadpool_limits(limits=1):  # the one-thread constants cached before any worker
        calibration.reload()           # looks, so that no two workers measure their own
    calibration.reload()
    client.register_plugin(_worker_init_plugin(warm_up), name="dualgan-worker-init")
    tries = {}
    outstanding = {}  # future key -> (future, config)

    def submit(config):
        future = client.submit(run, config, pure=False)
        outstanding[future.key] = (future, config)
        return future

    pool = as_completed([submit(c) for c in todo])
    bar = tqdm(total=len(todo), desc="runs", disable=not progress)
    try:
        for future in pool:
            config = outstanding.pop(future.key)[1]
            try:
                row = future.result()
            except Exception as err:  # e.g. KilledWorker: the worker died
                row = {**config.to_dict(), "status": "error", "wall_seconds": float("nan"),
                       "error": f"{type(err).__name__}: {err}"[:300]}
            table.append(row)
            bar.set_postfix_str(_describe(row))
            if row["status"] == "error" and tries.get(config_key(config), 0) < RETRIES:
                tries[config_key(config)] = tries.get(config_key(config), 0) + 1
                pool.add(submit(config))
            else:
                bar.update(1)
    except KeyboardInterrupt:
        client.cancel([future for future, _ in outstanding.values()])
        raise
    finally:
        bar.close()
    return len(todo), skipped


# --------------------------------------------------------------------------- choosing one


def add_arguments(parser):
    """A study script's engine options: ``--scheduler`` or ``--jobs`` (in process when neither),
    and ``--connect-timeout``; checked by :func:`check_cluster`."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on the Dask cluster of this scheduler (e.g. tcp://host:8786)")
    group.add_argument("--jobs", type=int, default=None,
                       help="run on a local Dask cluster of N single-threaded workers")
    parser.add_argument("--connect-timeout", type=float, default=10.0,
                        help="seconds to wait for the scheduler of --scheduler")


def run_study(configs, csv_path, scheduler=None, jobs=None, connect_timeout=10.0,
              progress=True, run=None, log=print):
    """Run the configs not in the table at ``csv_path`` yet: in this process when neither
    ``scheduler`` nor ``jobs`` is given (:func:`run_in_process`), else on the Dask cluster they
    name (:func:`dask_client`, :func:`run_on_cluster`).

    Returns
    -------
    (ran, skipped, engine) : (int, int, str)
        ``engine`` says where the runs ran ("in process" or the scheduler's address).

    Raises
    ------
    ImportError, SchedulerUnreachable
        A cluster was asked for and cannot be had (:func:`dask_client`).
    KeyboardInterrupt
        Ctrl-C: the outstanding runs are cancelled, the finished rows are kept.
    """
    if scheduler is None and jobs is None:
        return (*run_in_process(configs, csv_path, progress, run=run), "in process")
    with dask_client(scheduler, jobs, connect_timeout) as client:
        engine = f"Dask at {client.scheduler.address}"
        log(f"Dask dashboard: {client.dashboard_link}")
        return (*run_on_cluster(configs, csv_path, client, progress, run=run), engine)
