"""The command line of VAE training (``examples/train_vae.py``): its options, their checks, and
the runs, one seed or several one after another.

* :func:`parse_args` — the options, with ``args.model_config`` and ``args.train_config`` built
  right after parsing (a bad value refused in one line, exit code 2, before anything is written:
  :class:`dualgan.cli.ArgumentParser`);
* :func:`main` — train one run (:func:`train_one`) or every seed (:func:`train_seeds`) and
  write the outputs described in ``examples/train_vae.py``; returns the exit code.
"""

import argparse
import json
import os
import time

import torch
from tqdm.auto import tqdm

from dualgan import cli
from dualgan.checkpoint import check_same_settings, ensure_writable_directory
from dualgan.cli import ArgumentParser
from dualgan.files import write_json
from dualgan.lock import holding_directory
from dualgan.stats import summarize_seeds
from dualgan.training import torch_threads

from . import figures
from .bounds import evaluate_iwae
from .config import VAEConfig
from .data import DATASETS, load_dataset
from .likelihoods import DECODERS
from .train import BINARIZATIONS, LR_SCHEDULES, VAETrainConfig, VAETrainer

#: what summary.json reports over seeds (each the lower the better), from each metrics.json
SUMMARIZED = ("final_test_nelbo", "test_iwae_nll", "train_seconds_total",
              "train_cpu_seconds_total")


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def parse_args(argv=None, description=None):
    """The options, checked, with ``args.model_config`` and ``args.train_config`` (the last
    seed's)."""
    defaults = VAETrainConfig()
    model_defaults = VAEConfig()
    p = ArgumentParser(description=description)
    p.add_argument("--dataset", choices=DATASETS, default="digits",
                   help="'digits' (bundled with scikit-learn) or 'mnist' (needs --data-dir)")
    p.add_argument("--data-dir", help="directory with the four MNIST IDX files (.gz or not)")
    p.add_argument("--epochs", type=positive_int, default=defaults.epochs,
                   help="passes over the training set")
    p.add_argument("--batch-size", type=positive_int, default=defaults.batch_size,
                   help="images per Adam step")
    p.add_argument("--hidden", type=positive_int, nargs="+", default=list(model_defaults.hidden),
                   help="encoder hidden widths; the decoder mirrors them")
    p.add_argument("--latent-dim", type=positive_int, default=model_defaults.latent_dim,
                   help="dimension of z")
    p.add_argument("--decoder", choices=DECODERS, default=model_defaults.decoder,
                   help="p(x|z): Bernoulli on logits (SPEC 6, 2e) or N(f(z), sigma² I) (2d)")
    p.add_argument("--sigma", type=float, default=model_defaults.sigma,
                   help="standard deviation of the Gaussian decoder")
    p.add_argument("--mc-samples", type=positive_int, default=defaults.mc_samples,
                   help="samples of z per image in the ELBO estimate (M)")
    p.add_argument("--lr", type=float, default=defaults.lr, help="peak Adam learning rate")
    p.add_argument("--lr-schedule", choices=LR_SCHEDULES, default=defaults.lr_schedule,
                   help="after the warm-up: constant, or cosine-annealed to 0 per step")
    p.add_argument("--lr-warmup-epochs", type=float, default=defaults.lr_warmup_epochs,
                   help="linear learning-rate warm-up, in epochs (0: none)")
    p.add_argument("--kl-warmup-epochs", type=float, default=defaults.kl_warmup_epochs,
                   help="the KL weight rises linearly from 0 to 1 over these epochs (0: none)")
    p.add_argument("--no-output-bias-from-data", dest="output_bias_from_data",
                   action="store_false",
                   help="keep the default initialization of the decoder's output bias")
    p.add_argument("--binarize", choices=BINARIZATIONS, default=defaults.binarize,
                   help="'dynamic': training pixels drawn as Bernoulli(intensity) every epoch, "
                        "the test set binarized once with --test-binarize-seed")
    p.add_argument("--test-binarize-seed", type=int, default=defaults.test_binarize_seed,
                   help="--binarize dynamic: seed of the test set's one binarization")
    seeds = p.add_mutually_exclusive_group()
    seeds.add_argument("--seed", type=int, default=defaults.seed,
                       help="seed of the initialization, the batches and the noise")
    seeds.add_argument("--seeds", type=int, nargs="+",
                       help="run these seeds one after another into OUT/seed_<S>/ and write "
                            "OUT/summary.json; rerun the same command to continue")
    p.add_argument("--threads", type=positive_int, default=1,
                   help="torch threads (on a machine shared with other work, 1 is fastest)")
    p.add_argument("--out", default="runs/vae", help="output directory")
    p.add_resume_arguments()
    p.add_argument("--iwae-samples", type=positive_int, default=5000,
                   help="K of the final importance-weighted estimate of log p(x)")
    p.add_argument("--iwae-images", type=int, default=1000,
                   help="test images in the IWAE estimate (the first ones); 0 means all")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = p.parse_args(argv)
    if args.dataset == "mnist" and args.data_dir is None:
        p.error("--data-dir is required with --dataset mnist (the directory of the IDX files)")
    if args.iwae_images < 0:
        p.error(f"--iwae-images must be >= 0, got {args.iwae_images}")
    if args.seeds is not None and len(set(args.seeds)) != len(args.seeds):
        p.error(f"--seeds must not repeat a seed, got {args.seeds}")
    if args.seeds is None:  # with --seeds, finished seeds are kept and unfinished ones resumed
        p.check_checkpoint(args)
    with p.library_checks():
        args.model_config = VAEConfig(hidden=tuple(args.hidden), latent_dim=args.latent_dim,
                                      decoder=args.decoder, sigma=args.sigma)
        for seed in args.seeds or [args.seed]:
            args.train_config = VAETrainConfig(
                epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                lr_schedule=args.lr_schedule, lr_warmup_epochs=args.lr_warmup_epochs,
                kl_warmup_epochs=args.kl_warmup_epochs,
                output_bias_from_data=args.output_bias_from_data, mc_samples=args.mc_samples,
                binarize=args.binarize, test_binarize_seed=args.test_binarize_seed, seed=seed)
    return args


def main(argv=None, description=None):
    """Parse ``argv`` and train; returns the exit code (0, or 130 after Ctrl-C)."""
    args = parse_args(argv, description)
    with torch_threads(args.threads):
        if args.seeds is None:
            return train_one(args, args.train_config, args.out, args.resume)
        return train_seeds(args)


@holding_directory(lambda args: args.out)  # one writer per run directory (dualgan.lock)
def train_seeds(args):
    """Each seed into OUT/seed_<S>/ (skipped when finished with the same settings, resumed
    when interrupted), then OUT/summary.json from the per-seed metrics.json files."""
    ensure_writable_directory(args.out)
    for seed in args.seeds:
        out = os.path.join(args.out, f"seed_{seed}")
        config = VAETrainConfig(**{**vars(args.train_config), "seed": seed})
        metrics_path = os.path.join(out, "metrics.json")
        if os.path.isfile(metrics_path):
            with open(metrics_path) as handle:
                saved = json.load(handle)["settings"]
            check_same_settings(saved, run_settings(args, config))
            print(f"seed {seed}: finished earlier, {metrics_path}")
            continue
        resume = os.path.isfile(os.path.join(out, "checkpoint.pt"))
        print(f"seed {seed}: {'resuming' if resume else 'starting'} in {out}")
        code = train_one(args, config, out, resume)
        if code != cli.EXIT_OK:
            return code
    summary = summarize_runs(args.out, args.seeds)
    write_json(os.path.join(args.out, "summary.json"), summary)
    for key in SUMMARIZED:
        s = summary[key]
        print(f"{key}: mean {s['mean']:.3f}, sd {s['std']:.3f}, worst {s['worst']:.3f} "
              f"(seed {s['worst_seed']}) over {s['n']} seeds")
    return cli.EXIT_OK


def summarize_runs(out, seeds):
    """Mean, sd and worst seed of each of :data:`SUMMARIZED`, read from OUT/seed_<S>/metrics.json.
    """
    metrics = {}
    for seed in seeds:
        with open(os.path.join(out, f"seed_{seed}", "metrics.json")) as handle:
            metrics[seed] = json.load(handle)
    summary = {key: summarize_seeds({seed: m[key] for seed, m in metrics.items()})
               for key in SUMMARIZED}
    summary["seeds"] = list(seeds)
    summary["units"] = "nats per image (losses), seconds (times); sd with ddof = 1"
    return summary


def load_data(args, seed):
    """The run's training and test splits, and the model settings sized to them."""
    train, test = load_dataset(args.dataset, args.data_dir, seed=seed)
    model_config = VAEConfig(**{**args.model_config.to_dict(), "input_dim": train.x.shape[1]})
    return train, test, model_config


def run_settings(args, train_config):
    """What a finished run's metrics.json must match to count as done (flat, JSON-like)."""
    out = {"dataset": args.dataset, "iwae_samples": args.iwae_samples,
           "iwae_images": args.iwae_images}
    out.update({f"model.{k}": v for k, v in args.model_config.to_dict().items()
                if k != "input_dim"})
    out.update({f"train.{k}": v for k, v in vars(train_config).items()})
    return out


@holding_directory(lambda args, train_config, out, resume: out)
def train_one(args, train_config, out, resume):
    """One run into ``out``: train (or resume), evaluate, write figures and metrics.json."""
    wall0, cpu0 = time.perf_counter(), time.process_time()
    ensure_writable_directory(out)
    train, test, model_config = load_data(args, train_config.seed)
    trainer = VAETrainer(model_config, train_config, train.x, test.x,
                         checkpoint_path=os.path.join(out, "checkpoint.pt"),
                         progress=not args.no_progress)
    if resume:
        trainer.resume()
        print(f"resumed from {trainer.checkpoint_path} after epoch {trainer.epoch}")
    shown = trainer.test_x[:12]

    def after_epoch(t):
        if t.epoch == 1:
            figures.plot_reconstructions(t.model, shown, test.image_shape,
                                         os.path.join(out, "reconstructions_epoch001.png"),
                                         "after epoch 1")

    result = trainer.run(on_epoch_end=after_epoch)
    if result.interrupted:
        where = (f"in epoch {trainer.epoch + 1}" if trainer.epoch < train_config.epochs else
                 "after the last epoch")
        print(f"stopped {where}; continue with --resume (or the same --seeds command)")
        return cli.EXIT_INTERRUPTED

    model, hist = trainer.model, trainer.history
    n_iwae = len(test.x) if args.iwae_images == 0 else min(args.iwae_images, len(test.x))
    iwae_t0 = time.perf_counter()
    with tqdm(total=n_iwae, desc=f"IWAE K={args.iwae_samples}", unit="img",
              disable=args.no_progress) as bar:
        iwae = evaluate_iwae(model, trainer.test_x[:n_iwae], args.iwae_samples,
                             rng=torch.Generator().manual_seed(train_config.seed + 5),
                             progress=bar.update)
    iwae_seconds = time.perf_counter() - iwae_t0
    last = os.path.join(out, f"reconstructions_epoch{trainer.epoch:03d}.png")
    figures.plot_reconstructions(model, shown, test.image_shape, last,
                                 f"after epoch {trainer.epoch}")
    figures.plot_samples(model, test.image_shape, os.path.join(out, "samples.png"),
                         seed=train_config.seed)
    figures.plot_losses(hist, os.path.join(out, "losses.png"))
    if model_config.latent_dim == 2:
        figures.plot_latent_scatter(model, trainer.test_x, test.y,
                                    os.path.join(out, "latent_scatter.png"))
    metrics = {
        "train_loss": hist["train_loss"], "test_loss": hist["test_loss"],
        "epoch_seconds": hist["epoch_seconds"], "epoch_cpu_seconds": hist["epoch_cpu_seconds"],
        "eval_seconds": hist["eval_seconds"], "lr": hist["lr"],
        "units": "negative ELBO in nats per image, summed over pixels; seconds",
        "final_test_nelbo": hist["test_loss"][-1],
        "test_iwae_nll": iwae, "iwae_samples": args.iwae_samples, "iwae_images": n_iwae,
        "iwae_seconds": iwae_seconds, "test_images": len(test.x),
        "train_seconds_total": sum(hist["epoch_seconds"]),
        "train_cpu_seconds_total": sum(hist["epoch_cpu_seconds"]),
        "eval_seconds_total": sum(hist["eval_seconds"]),
        "wall_seconds_this_invocation": time.perf_counter() - wall0,
        "cpu_seconds_this_invocation": time.process_time() - cpu0,
        "threads": torch.get_num_threads(),
        "settings": run_settings(args, train_config),
        "config": {"dataset": args.dataset, "data_dir": args.data_dir,
                   "model": model_config.to_dict(), "train": vars(train_config)},
    }
    write_json(os.path.join(out, "metrics.json"), metrics)
    print(f"final test negative ELBO {hist['test_loss'][-1]:.3f} nats/image; IWAE NLL "
          f"{iwae:.3f} (K={args.iwae_samples}, {n_iwae} test images); wrote {out}")
    return cli.EXIT_OK

