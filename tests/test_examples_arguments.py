"""Every script refuses a bad command line in one line, before any work (issue 21, items 1 and 4).

Each case runs ``python examples/<script>.py ARGS --out OUT`` as a subprocess and checks: exit
code 2, exactly one line on stderr, ``<script>.py: error: ...`` naming the option, and OUT not
even created. The first case of each script is in the default suite; the others (a second or so
each, most scripts import torch) are marked slow.
"""

import pytest

from conftest import run_script

# script -> [(arguments, what the one line says)]; the first case of each is the fast one
CASES = {
    "train_dual_gan": [
        (["--steps", "-5"], "--steps must be an integer >= 1, got -5"),
        (["--lr", "-1"], "--lr must be a finite number > 0, got -1.0"),
        (["--batch-size", "0"], "--batch-size must be an integer >= 1, got 0"),
        (["--c", "0"], "--c must be a finite number > 0"),
        (["--hidden", "0"], "--hidden must be an integer >= 1, got 0"),
        (["--kappa", "-1"], "--kappa is not a setting of method 'dual' (kappa is one of "
                            "neural-dual's)"),
        (["--discriminator", "mlp", "--kappa", "-1"], "--kappa must be a finite number > 0"),
        (["--discriminator", "network", "--kappa-max", "0"],
         "--kappa-max must be a finite number > 0"),
        (["--discriminator", "mlp", "--kappa-min", "0"], "--kappa-min must be a finite number > 0"),
        (["--discriminator", "mlp", "--kappa-min", "5"],
         "--kappa must lie in [kappa_min, kappa_max] = [5, 100], got 3"),
        (["--target", "mnist"], "(--data-dir on the command line)"),
        (["--target", "digits", "--discriminator", "features"],
         "--target digits needs --discriminator network"),
        (["--max-seconds", "0"], "--max-seconds must be a finite number > 0"),
        (["--snapshots", "-1"], "--snapshots must be an integer >= 0, got -1"),
        (["--steps", "ten"], "argument --steps: invalid int value: 'ten'"),
        (["--architecture", "conv"], "architecture 'conv' is for the image targets ['digits', "
                                     "'mnist', 'stacked-mnist'], got target 'ring'"),
    ],
    "train_baseline_gan": [
        (["--steps", "0"], "--steps must be an integer >= 1, got 0"),
        (["--d-steps", "0"], "--d-steps must be an integer >= 1, got 0"),
        (["--d-lr", "-1"], "--d-lr must be a finite number > 0, got -1.0"),
        (["--method", "linear-gd", "--num-features", "0"],
         "--num-features must be an integer >= 1, got 0"),
        (["--target", "mnist"], "(--data-dir on the command line)"),
    ],
    "compare_image_gans": [
        (["--budget", "-1"], "--budget must be a finite number > 0, got -1.0"),
        (["--steps", "0"], "--steps must be an integer >= 1, got 0"),
        (["--seeds", "1", "1"], "--seeds must not repeat a seed, got [1, 1]"),
        (["--seeds", "-1"], "--seeds must be an integer >= 0, got -1"),
        (["--target", "mnist"], "(--data-dir on the command line)"),
        (["--d-arch", "conv", "--d-channels", "4", "4", "4", "4"],
         "--d-channels (4, 4, 4, 4): 4 stride-2 convolutions halve the image 4 times"),
    ],
    "stability_sweep": [
        (["--lrs", "-1", "--quick"], "--quick sets --lrs itself"),
        (["--lrs", "-1"], "--lrs must be a finite number > 0, got -1.0"),
        (["--quick", "--steps", "5"], "--quick sets --steps itself"),
        (["--num-seeds", "0"], "--num-seeds must be an integer >= 1, got 0"),
        (["--jobs", "0"], "--jobs must be an integer >= 1, got 0"),
        (["--jobs", "2", "--scheduler", "tcp://127.0.0.1:9"], "not allowed with argument"),
        (["--target", "mnist"], "(--data-dir on the command line)"),
        (["--target", "digits", "--methods", "dual"], "no method of ['dual'] can run on digits"),
        (["--target", "ring", "--architecture", "conv"],
         "architecture 'conv' is for the image targets ['digits', 'mnist', 'stacked-mnist'], "
         "got target 'ring'"),
    ],
    "benchmark_backends": [
        (["--budget", "-1", "--quick"], "--budget must be a finite number > 0, got -1.0"),
        (["--repeats", "0"], "--repeats must be an integer >= 1, got 0"),
        (["--min-time", "-1"], "--min-time must be a finite number >= 0"),
        (["--sizes", "0"], "--sizes must be an integer >= 1, got 0"),
        (["--features", "8"], "--features is a setting of the kernel benchmark"),
        (["--kernel", "--dims", "4"], "--dims is not a setting of --kernel"),
        (["--c", "0"], "--c must be a finite number > 0, got 0.0"),
    ],
    "compare_primal_dual": [
        (["--c", "-1"], "--c must be a finite number > 0"),
        (["--n", "0"], "--n must be an integer >= 1, got 0"),
        (["--repeats", "0"], "--repeats must be an integer >= 1, got 0"),
        (["--seed", "-1"], "--seed must be an integer >= 0, got -1"),
    ],
    "compare_gradients": [
        (["--tol", "2"], "--tol must be a finite number in (0, 1), got 2.0"),
        (["--sizes", "0"], "--sizes must be an integer >= 1, got 0"),
        (["--h", "0"], "--h must be a finite number > 0, got 0.0"),
        (["--c", "-1"], "--c must be a finite number > 0"),
    ],
    "gan_theory": [
        (["--mc-samples", "0"], "--mc-samples must be an integer >= 1, got 0"),
        (["--path-points", "1"], "--path-points must be an integer >= 2, got 1"),
        (["--pair", "normal"], "argument --pair: invalid choice: 'normal'"),
    ],
    "train_vae": [  # more in tests/test_vae_train.py (its parser, in process)
        (["--lr-warmup-epochs", "-1"], "--lr-warmup-epochs must be a finite number >= 0"),
        (["--dataset", "mnist", "--seed", "1"], "--data-dir is required with --dataset mnist"),
        (["--epochs", "0"], "argument --epochs: must be a positive integer, got 0"),
    ],
    "compare_vae_reference": [
        ([], "the following arguments are required: --data-dir"),
        (["--data-dir", "unused", "--threads", "0"], "--threads must be an integer >= 1, got 0"),
        (["--data-dir", "unused", "--seeds", "-1"], "--seeds must be an integer >= 0, got -1"),
    ],
    "time_gan_steps": [
        (["--target", "mnist"], "(--data-dir on the command line)"),
        (["--target", "digits", "--steps", "0"], "--steps must be >= 1, got 0"),
        (["--target", "digits", "--seed", "-1"], "--seed must be an integer >= 0, got -1"),
    ],
}


def _params():
    for script, cases in CASES.items():
        for number, (args, message) in enumerate(cases):
            marks = () if number == 0 else (pytest.mark.slow,)
            yield pytest.param(script, args, message, marks=marks,
                               id=f"{script}-{' '.join(args) or 'no-arguments'}")


def test_every_script_is_in_the_table():
    from conftest import EXAMPLES

    assert sorted(CASES) == sorted(p.stem for p in EXAMPLES.glob("*.py"))


@pytest.mark.parametrize("script, args, message", list(_params()))
def test_a_bad_command_line_is_one_line_exit_2_and_nothing_written(script, args, message,
                                                                   tmp_path):
    out = tmp_path / "out"
    done = run_script(script, args + ["--out", out], timeout=120)
    lines = done.stderr.splitlines()
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"{script}.py: error: "), lines[0]
    assert message in lines[0], lines[0]
    assert not out.exists() and done.stdout == ""


@pytest.mark.parametrize("script", ["train_dual_gan", "train_baseline_gan", "time_gan_steps"])
def test_d_arch_conv_on_a_point_target_is_one_line_exit_2(script, tmp_path):
    # the network options carry --d-arch; a convolutional discriminator needs images
    out = tmp_path / "out"
    done = run_script(script, ["--target", "ring", "--d-arch", "conv", "--out", out],
                      timeout=120)
    lines = done.stderr.splitlines()
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"{script}.py: error: --d-arch must be 'mlp' on target 'ring', "
                               f"got 'conv'"), lines[0]
    assert "'digits', 'mnist', 'stacked-mnist'" in lines[0]
    assert not out.exists() and done.stdout == ""


def test_a_memory_guard_refusal_is_one_line_exit_2(tmp_path):
    # dual.ResourceError names the prediction, what is available and the way out: a script
    # delivers it as a user error, not a traceback (the limit lowered to 1 kB for the test)
    done = run_script("compare_primal_dual", ["--n", "20", "--solvers", "native", "--out",
                                              tmp_path / "out"], DUALGAN_MEMORY_LIMIT=1000)
    assert done.returncode == 2, (done.returncode, done.stderr)
    last = done.stderr.splitlines()[-1]
    assert last.startswith("compare_primal_dual.py: error: ") and "1,000 B" in last
    assert "check_memory=False" in last and "Traceback" not in done.stderr


def _resumes(parsed):
    """Whether a parsed command line resumes: a GAN script's RunRequest keeps it among the
    loop's options, the VAE script's namespace as an attribute."""
    return parsed.options["resume"] if hasattr(parsed, "options") else parsed.resume


def _parsers():
    from generator.cli import parse_baseline, parse_dual
    from vae.cli import parse_args as parse_vae

    return {"train_dual_gan": parse_dual, "train_baseline_gan": parse_baseline,
            "train_vae": parse_vae}


@pytest.mark.parametrize("script", ["train_dual_gan", "train_baseline_gan", "train_vae"])
def test_a_run_over_an_existing_checkpoint_is_refused_without_resume_or_overwrite(script,
                                                                                   tmp_path,
                                                                                   capsys):
    parse = _parsers()[script]
    out = tmp_path / "out"
    out.mkdir()
    checkpoint = out / "checkpoint.pt"
    checkpoint.write_bytes(b"an earlier run")
    with pytest.raises(SystemExit) as stop:
        parse(["--out", str(out)])
    lines = capsys.readouterr().err.strip().splitlines()
    assert stop.value.code == 2 and len(lines) == 1, lines
    assert f"--out {out} holds a checkpoint" in lines[0]
    assert "--resume" in lines[0] and "--overwrite" in lines[0]
    assert checkpoint.read_bytes() == b"an earlier run"
    assert not _resumes(parse(["--out", str(out), "--overwrite"]))  # accepted, from scratch
    assert _resumes(parse(["--out", str(out), "--resume"]))
    with pytest.raises(SystemExit):
        parse(["--out", str(out), "--resume", "--overwrite"])
    assert "not allowed with argument" in capsys.readouterr().err
    # a fresh directory needs neither
    assert not _resumes(parse(["--out", str(tmp_path / "new")]))
