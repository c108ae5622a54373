"""dualgan.lazy: a package's names are imported from their submodules on first access only."""

import subprocess
import sys

import pytest

import generator


def test_a_package_imports_a_submodule_only_when_one_of_its_names_is_used():
    code = ("import sys, generator\n"
            "assert 'generator.runs.config' not in sys.modules\n"
            "config = generator.RunConfig\n"
            "assert 'generator.runs.config' in sys.modules\n"
            "assert config is sys.modules['generator.runs.config'].RunConfig\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_exported_name_is_listed_and_kept_after_its_first_use():
    assert "GANTrainer" in dir(generator) and "GANTrainer" in generator.__all__
    first = generator.GANTrainer
    assert vars(generator)["GANTrainer"] is first


def test_an_unknown_name_raises_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="'generator' has no attribute 'Trainer'"):
        getattr(generator, "Trainer")  # noqa: B009 (the lookup is the test)
