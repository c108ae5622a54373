"""Train an MLP VAE on MNIST (original IDX files) or scikit-learn's 8x8 digits.

Writes to --out: checkpoint.pt (each epoch, atomic), metrics.json (per-epoch losses in nats per
image, the final IWAE NLL and the configuration) and figures (reconstructions after the first and
the last epoch, samples, loss curves, and a latent scatter when --latent-dim is 2).

Examples
--------
    python examples/train_vae.py --out runs/vae_digits                 # runs anywhere
    python examples/train_vae.py --dataset mnist --data-dir ../shared/data/mnist --out runs/vae
    python examples/train_vae.py ... --out runs/vae --resume           # continue after Ctrl-C

The defaults (two hidden layers 512-256, latent 32, batch 64, Adam 1e-3 with a cosine schedule,
30 epochs) are chosen for MNIST. The recipe of the PyTorch VAE example is
``--hidden 400 --latent-dim 20 --batch-size 128 --lr 1e-3 --lr-schedule constant --epochs 10``.
"""

import argparse
import os
import sys
import time

import torch
from tqdm.auto import tqdm

from common import cli
from common.checkpoint import ensure_writable_directory
from common.files import write_json
from vae import DATASETS, DECODERS, LR_SCHEDULES, TrainConfig, Trainer, VAEConfig
from vae import evaluate_iwae, figures, load_dataset


def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def parse_args(argv=None):
    defaults = TrainConfig()
    model_defaults = VAEConfig()
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dataset", choices=DATASETS, default="digits",
                   help="'digits' (bundled with scikit-learn) or 'mnist' (needs --data-dir)")
    p.add_argument("--data-dir", help="directory with the four MNIST IDX files (.gz or not)")
    p.add_argument("--epochs", type=positive_int, default=defaults.epochs)
    p.add_argument("--batch-size", type=positive_int, default=defaults.batch_size)
    p.add_argument("--hidden", type=positive_int, nargs="+", default=list(model_defaults.hidden),
                   help="encoder hidden widths; the decoder mirrors them")
    p.add_argument("--latent-dim", type=positive_int, default=model_defaults.latent_dim)
    p.add_argument("--decoder", choices=DECODERS, default=model_defaults.decoder)
    p.add_argument("--sigma", type=float, default=model_defaults.sigma,
                   help="standard deviation of the Gaussian decoder")
    p.add_argument("--mc-samples", type=positive_int, default=defaults.mc_samples,
                   help="samples of z per image in the ELBO estimate (M)")
    p.add_argument("--lr", type=float, default=defaults.lr)
    p.add_argument("--lr-schedule", choices=LR_SCHEDULES, default=defaults.lr_schedule)
    p.add_argument("--binarize", action="store_true", help="dynamic binarization of the pixels")
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--out", default="runs/vae", help="output directory")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
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
    try:
        args.model_config = VAEConfig(hidden=tuple(args.hidden), latent_dim=args.latent_dim,
                                      decoder=args.decoder, sigma=args.sigma)
        args.train_config = TrainConfig(
            epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
            lr_schedule=args.lr_schedule, mc_samples=args.mc_samples, binarize=args.binarize,
            seed=args.seed)
    except (TypeError, ValueError) as err:
        p.error(str(err))
    return args


def main(argv=None):
    args = parse_args(argv)
    wall0 = time.perf_counter()
    ensure_writable_directory(args.out)
    train, test = load_dataset(args.dataset, args.data_dir, seed=args.seed)
    model_config = VAEConfig(**{**args.model_config.to_dict(), "input_dim": train.x.shape[1]})
    trainer = Trainer(model_config, args.train_config, train.x, test.x,
                      checkpoint_path=os.path.join(args.out, "checkpoint.pt"),
                      progress=not args.no_progress)
    if args.resume:
        trainer.resume()
        print(f"resumed from {trainer.checkpoint_path} after epoch {trainer.epoch}")
    shown = trainer.test_x[:12]

    def after_epoch(t):
        if t.epoch == 1:
            figures.plot_reconstructions(t.model, shown, test.image_shape,
                                         os.path.join(args.out, "reconstructions_epoch001.png"),
                                         "after epoch 1")

    result = trainer.run(on_epoch_end=after_epoch)
    if result.interrupted:
        where = (f"in epoch {trainer.epoch + 1}" if trainer.epoch < args.epochs else
                 "after the last epoch")
        print(f"stopped {where}; continue with --resume")
        return cli.EXIT_INTERRUPTED

    model, hist = trainer.model, trainer.history
    n_iwae = len(test.x) if args.iwae_images == 0 else min(args.iwae_images, len(test.x))
    with tqdm(total=n_iwae, desc=f"IWAE K={args.iwae_samples}", unit="img",
              disable=args.no_progress) as bar:
        iwae = evaluate_iwae(model, trainer.test_x[:n_iwae], args.iwae_samples,
                             rng=torch.Generator().manual_seed(args.seed + 5),
                             progress=bar.update)
    figures.plot_reconstructions(model, shown, test.image_shape,
                                 os.path.join(args.out,
                                              f"reconstructions_epoch{trainer.epoch:03d}.png"),
                                 f"after epoch {trainer.epoch}")
    figures.plot_samples(model, test.image_shape, os.path.join(args.out, "samples.png"),
                         seed=args.seed)
    figures.plot_losses(hist, os.path.join(args.out, "losses.png"))
    if model_config.latent_dim == 2:
        figures.plot_latent_scatter(model, trainer.test_x, test.y,
                                    os.path.join(args.out, "latent_scatter.png"))
    metrics = {
        "train_loss": hist["train_loss"], "test_loss": hist["test_loss"],
        "epoch_seconds": hist["epoch_seconds"], "epoch_cpu_seconds": hist["epoch_cpu_seconds"],
        "lr": hist["lr"],
        "units": "negative ELBO in nats per image, summed over pixels",
        "test_iwae_nll": iwae, "iwae_samples": args.iwae_samples, "iwae_images": n_iwae,
        "test_images": len(test.x), "train_seconds_total": sum(hist["epoch_seconds"]),
        "wall_seconds_this_invocation": time.perf_counter() - wall0,
        "config": {"dataset": args.dataset, "data_dir": args.data_dir,
                   "model": model_config.to_dict(), "train": vars(args.train_config)},
    }
    write_json(os.path.join(args.out, "metrics.json"), metrics)
    print(f"final test negative ELBO {hist['test_loss'][-1]:.3f} nats/image; IWAE NLL "
          f"{iwae:.3f} (K={args.iwae_samples}, {n_iwae} test images); wrote {args.out}")
    return cli.EXIT_OK


if __name__ == "__main__":
    sys.exit(cli.run(main))
