"""The `mlp-desktop` command.

Without a subcommand it opens the desktop app (with any dataset or project files given). The
subcommands run headless:

    mlp-desktop train DATA --save MODEL.json [options]
    mlp-desktop predict MODEL.json DATA [--out OUT.xlsx|OUT.csv]
    mlp-desktop predict MODEL.json --input age=30 --input exercise=2 --input diet=5
    mlp-desktop evaluate MODEL.json DATA [--json]
    mlp-desktop export MODEL.json --format python -o predict_model.py
    mlp-desktop cross-validate DATA --folds 5 [--repeats R] [--json] [train options]

A problem the user can fix prints one line ``error: ...`` on stderr and exits with code 2; no
output file is ever half-written (and an existing one survives a failed run).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

from . import __version__, collector

with collector.paused():  # the core's imports (NumPy) make only long-lived objects: see collector
    from .core import settings
    from .core.memory import avoid_huge_page_stalls
avoid_huge_page_stalls()  # this process (the app or a command) and its training process

USER_SETTINGS = settings.names("learning") + settings.names("init") + settings.names("data")
"""The settings schema's options that train and cross-validate take."""

COMMANDS = ("train", "predict", "evaluate", "export", "cross-validate")
OPEN_IN_APP = ("Without a command, opens the app; 'mlp-desktop FILE' opens FILE in it (a .xlsx, .csv or other "
               "data file, or a saved project).")
EXIT_USER_ERROR = 2


def _number_list(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected whole numbers separated by commas, like 8,4; got {text!r}")
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"every hidden layer needs at least one neuron; got {text!r}")
    return sizes


def _name_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _range(text: str) -> tuple[float, float]:
    try:
        low, high = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected LOW,HIGH like -1,1; got {text!r}")
    if not low < high:
        raise argparse.ArgumentTypeError(f"LOW must be below HIGH; got {text!r}")
    return low, high


def _batch_size(text: str) -> int | None:
    if text.lower() in ("full", "all", "none"):
        return None
    try:
        size = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'full' or a whole number; got {text!r}")
    if size < 1:
        raise argparse.ArgumentTypeError("the batch size must be at least 1")
    return size


def _add_training_options(parser: argparse.ArgumentParser) -> None:
    """The data, network and training options shared by ``train`` and ``cross-validate``."""
    parser.add_argument("data", help="the .xlsx, .xlsm, .csv, .tsv or .txt file")
    parser.add_argument("--sheet", help="the worksheet to read (default: the first non-empty one)")
    parser.add_argument("--target", nargs="+", metavar="COL", help="column(s) to predict (default: 'output' or the last)")
    parser.add_argument("--inputs", nargs="+", metavar="COL", help="input columns (default: every other column)")
    parser.add_argument("--hidden", type=_number_list, default=[8], metavar="8,4",
                        help="neurons per hidden layer (default: 8)")
    parser.add_argument("--activation", type=_name_list, default=["tanh"], metavar="NAME[,NAME...]",
                        help="hidden activation: one for all layers or one per layer (default: tanh)")
    parser.add_argument("--output-activation", default="auto",
                        choices=["auto", "identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"])
    # Every user setting's option, default, allowed values and help come from the settings schema.
    # The command line keeps every row for training unless --validation is given, so a script's
    # run uses all of its data by default (the app holds 20 % out of a newly opened table).
    settings.add_arguments(parser, USER_SETTINGS, defaults={"validation_fraction": 0.0})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlp-desktop",
        usage="%(prog)s [-h] [--version] [--debug] COMMAND ...\n       %(prog)s [FILE ...]",
        description="Design, train and understand multilayer perceptrons. " + OPEN_IN_APP,
    )
    parser.add_argument("--version", action="version", version=f"mlp-desktop {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a full traceback on errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", prog="mlp-desktop")  # not the usage above

    train = commands.add_parser("train", help="train a model on a spreadsheet and save it",
                                description="Train a network on a .xlsx/.csv file and save the model as JSON.")
    _add_training_options(train)
    train.add_argument("--save", required=True, metavar="MODEL.json", help="where to save the trained model")
    train.add_argument("--history", metavar="HISTORY.csv|HISTORY.xlsx",
                       help="also save the per-epoch table: RMSE and every weight and bias by name")

    predict = commands.add_parser("predict", help="predict new rows with a saved model",
                                  description="Append prediction columns to a data file, or predict one row "
                                              "given with --input.")
    predict.add_argument("model", help="the model JSON file saved by 'train'")
    predict.add_argument("data", nargs="?", help="a .xlsx/.csv file with the model's input columns")
    predict.add_argument("--sheet")
    predict.add_argument("--input", action="append", default=[], metavar="COLUMN=VALUE",
                         help="one input value; repeat for every input column")
    predict.add_argument("--out", metavar="OUT.xlsx|OUT.csv", help="write here (default: CSV to standard output)")
    predict.add_argument("--drop-missing", action="store_true",
                         help="leave rows with missing inputs unpredicted (kept, with empty prediction cells)")

    evaluate = commands.add_parser("evaluate", help="measure a saved model on data with known targets")
    evaluate.add_argument("model")
    evaluate.add_argument("data")
    evaluate.add_argument("--sheet")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.add_argument("--drop-missing", action="store_true")

    export = commands.add_parser("export", help="export a saved model to another format")
    export.add_argument("model")
    export.add_argument("--format", choices=["python", "onnx"], default="python",
                        help="python: a standalone script that needs only NumPy; "
                             "onnx: an ONNX graph (pip install \"mlp-desktop[onnx]\")")
    export.add_argument("-o", "--output", required=True, metavar="FILE")

    cross = commands.add_parser("cross-validate", help="estimate how well a network setup generalises (K-fold)",
                                description="Train the same setup K times, each time testing on a different "
                                            "fold of the rows, and print each fold's metrics and mean ± std.")
    _add_training_options(cross)
    cross.add_argument("--folds", type=int, default=5, metavar="K", help="number of folds (default: 5)")
    cross.add_argument("--repeats", type=int, default=1, metavar="R",
                       help="re-deal the rows into folds R times (default: 1)")
    cross.add_argument("--json", action="store_true", help="print one JSON object with folds, mean and std")
    return parser


def _join_negative_values(argv: list[str]) -> list[str]:
    """``--init-range -0.3,0.2`` -> ``--init-range=-0.3,0.2``: argparse would take the value for an option."""
    joined: list[str] = []
    for word in argv:
        if joined and joined[-1] in ("--init-range",) and word.startswith("-") and word[1:2].isdigit():
            joined[-1] = f"{joined[-1]}={word}"
        else:
            joined.append(word)
    return joined


def build_gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlp-desktop",
        description="Design, train and understand multilayer perceptrons. " + OPEN_IN_APP
                    + f" Commands: {', '.join(COMMANDS)} (see mlp-desktop COMMAND --help).",
    )
    parser.add_argument("--version", action="version", version=f"mlp-desktop {__version__}")
    parser.add_argument("files", nargs="*", help="a dataset or project to open in the app")
    return parser


# -- output streams of a GUI script ------------------------------------------------------------------
def ensure_output_streams(platform: str = sys.platform) -> None:
    """Give the command line somewhere to print when it was started without a console.

    ``mlp-desktop`` is a GUI script, so on Windows it runs under pythonw (or as a windowed
    PyInstaller build) with ``sys.stdout`` and ``sys.stderr`` set to None. Started from a console,
    it attaches to that console and prints there; otherwise its output is dropped rather than
    crashing. Streams that exist (Linux, macOS, output redirected to a file) are left alone.
    """
    if sys.stdout is not None and sys.stderr is not None:
        return
    if platform == "win32":
        _attach_parent_console()
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")


def _attach_parent_console() -> None:
    """Windows: print to the console of the process that started this one, if there is one."""
    try:
        import ctypes

        if not ctypes.windll.kernel32.AttachConsole(-1):  # -1: ATTACH_PARENT_PROCESS
            return
        # CONOUT$ opens as a console stream that writes UTF-8; line buffering keeps the order.
        if sys.stdout is None:
            sys.stdout = open("CONOUT$", "w", buffering=1)
        if sys.stderr is None:
            sys.stderr = open("CONOUT$", "w", buffering=1)
    except (OSError, AttributeError, ValueError):
        pass  # no console to attach to: ensure_output_streams drops the output instead


def main(argv: list[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # a frozen (PyInstaller) app starts its training process through here
    argv = sys.argv[1:] if argv is None else list(argv)
    words = [a for a in argv if a != "--debug"]
    if words and (words[0] in COMMANDS or any(word.startswith("-") for word in words)):
        ensure_output_streams()  # a command, --help, --version or a usage error: it prints
    if not words or (words[0] not in COMMANDS and words[0] not in ("-h", "--help")):
        args = build_gui_parser().parse_args(words)
        from .gui.app import run_app  # imported late: headless commands never load Qt

        return run_app(args.files)
    args = build_parser().parse_args(_join_negative_values(argv))
    if args.command is None:
        build_parser().print_help()
        return 0
    try:
        code = HANDLERS[args.command](args)
        sys.stdout.flush()  # a reader that went away shows here, not as a message at exit
        return code
    except KeyboardInterrupt:
        print("error: interrupted; nothing was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (mlp-desktop predict ... | head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # noqa: BLE001 - the one place that turns errors into messages
        from .core.errors import DataError

        if args.debug:
            raise
        if isinstance(error, DataError):
            print(f"error: {_in_command_words(str(error))}", file=sys.stderr)
            return EXIT_USER_ERROR
        if isinstance(error, MemoryError):
            # a file too large for this computer (or one that claims to be): a message, not a traceback
            detail = f" ({error})" if str(error) else ""
            print(f"error: not enough memory to finish {args.command}{detail}; try a smaller file, "
                  f"or close other programs.", file=sys.stderr)
            return EXIT_USER_ERROR
        print(f"error: unexpected {type(error).__name__}: {error} (run with --debug for details)", file=sys.stderr)
        return 1


def _in_command_words(message: str) -> str:
    """The core names the window's choices; on the command line the option does the same."""
    from .core.data import SKIP_INCOMPLETE_ADVICE

    return message.replace(SKIP_INCOMPLETE_ADVICE, "add --drop-missing")


# -- train ---------------------------------------------------------------------------------------
class _ProgressBar:
    """A one-line progress bar on a terminal's stderr; silent when stderr is not a terminal."""

    def __init__(self, total: int, unit_scale: float = 1.0, stream=None):
        self.total, self.unit_scale = max(total, 1), unit_scale
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty()

    def __call__(self, report) -> None:
        if not self.enabled:
            return
        done = min(report.epoch / self.total, 1.0)
        bar = "#" * int(done * 30)
        line = (f"\r[{bar:<30s}] epoch {report.epoch}/{report.final_epoch}  "
                f"RMSE {report.train_rmse * self.unit_scale:.5g}  {report.epochs_per_second:,.0f} epochs/s")
        self.stream.write(line)
        if report.finished:
            self.stream.write("\n")
        self.stream.flush()


def _training_setup(args):
    """The dataset, NetworkSpec and TrainConfig that the shared training options ask for."""
    from .core.data import prepare_dataset
    from .core.model import NetworkSpec
    from .core.training import TrainConfig

    settings.check_arguments(args, USER_SETTINGS)
    spec = NetworkSpec(
        hidden_layers=args.hidden, activations=args.activation, output_activation=args.output_activation,
        loss=args.loss, init=args.init, init_range=args.init_range, init_std=args.init_std, bias_init=args.bias_init,
    )
    # checked before reading the data, so a mistyped setting fails fast
    config = TrainConfig.from_settings(vars(args))
    table = _read_data(args)
    dataset = prepare_dataset(table, args.inputs, args.target, args.task, args.drop_missing)
    _print_reading_notes(table, dataset, chosen_task=args.task == "auto")
    if dataset.n_dropped:
        print(_skipped_rows_sentence(dataset.n_dropped), file=sys.stderr)
    return dataset, spec, config


def _read_data(args):
    """The table of ``args.data`` (its ``args.sheet``): a sheet named for a text table, which has none,
    is an error rather than ignored (the user may have meant another file)."""
    from .core.data import is_text_table, read_table
    from .core.errors import DataError

    if args.sheet is not None and is_text_table(args.data):
        raise DataError(f'{Path(args.data).name} is a text table, which has no sheets; leave out --sheet '
                        f'"{args.sheet}", or give the workbook that has that sheet.')
    return read_table(args.data, args.sheet)


def _print_reading_notes(table, dataset=None, chosen_task: bool = False, stream=None) -> None:
    """How the file was read and what was decided, on stderr: notes as plain lines, warnings as
    ``warning: ...`` (stdout stays the command's result)."""
    stream = sys.stderr if stream is None else stream
    notes = list(table.notes) + (list(dataset.notes) if dataset is not None else [])
    warnings = list(table.warnings) + (list(dataset.warnings) if dataset is not None else [])
    if dataset is not None and chosen_task and dataset.task == "classification" and _numeric_target(dataset):
        # the core's sentence names the task; say how to change it with this command's options
        notes.append("Task: classification, chosen from the target's values. "
                     "To predict the target as a number, add --task regression.")
    for line in notes:
        print(line, file=stream)
    for line in warnings:
        print(f"warning: {line}", file=stream)


def _numeric_target(dataset) -> bool:
    """True when a target column holds numbers (so classification was chosen, not forced by text)."""
    from .core.data import KIND_NUMERIC, column_info

    kinds = {info.name: info.kind for info in column_info(dataset.table)}
    return any(kinds.get(name) == KIND_NUMERIC for name in dataset.targets)


def _train(args) -> int:
    from .core.errors import DataError
    from .core.fileio import write_table
    from .core.model import fit_model

    for option, value in (("--save", args.save), ("--history", args.history)):
        if value and Path(value).resolve() == Path(args.data).resolve():
            raise DataError(f"{option} would overwrite the data file {args.data}; choose another name.")
    if args.history and Path(args.history).resolve() == Path(args.save).resolve():
        raise DataError("--save and --history name the same file; choose two names.")
    if args.history and Path(args.history).suffix.lower() not in (".csv", ".xlsx"):
        raise DataError(f"--history must end in .csv or .xlsx, not {Path(args.history).name}.")
    dataset, spec, config = _training_setup(args)
    progress = _ProgressBar(args.epochs)
    model, history = fit_model(dataset, spec, config, input_scaling=args.input_scaling, on_progress=progress,
                               unit_scale_callback=lambda scale: setattr(progress, "unit_scale", scale))
    if history.stop_reason == "diverged":
        raise DataError(history.message + " Nothing was saved.")
    if args.history:  # first: if it cannot be written, the old model file stays as it was
        write_table(history.to_frame(rmse_scale=model.preprocessor.rmse_unit_scale), args.history)
    model.save(args.save)
    print(_summary(model, history, dataset))
    print(f"Saved the model to {args.save}" + (f" and the history to {args.history}." if args.history else "."))
    return 0


def _summary(model, history, dataset) -> str:
    net = model.net
    lines = [
        f"Trained a {'-'.join(map(str, net.layer_sizes))} network ({model.task}, {len(dataset.frame)} rows) "
        f"for {history.last_epoch} epochs in {history.elapsed_seconds:.2f} s ({_engine_words(history)})."
    ]
    if history.stop_reason != "completed":
        lines[0] += " " + history.message
    for split, values in model.metrics.items():
        lines.append(f"  {split:10s} " + _format_metrics(values))
    return "\n".join(lines)


def _engine_words(history) -> str:
    """Which engine ran the training, in words (core.training.choose_engine decided)."""
    if getattr(history, "engine", "numpy") == "compiled":
        return "compiled engine"
    return "NumPy engine"


def _format_metrics(values: dict) -> str:
    """One line of metrics; a metric that is undefined (NaN, or null in a saved model: R² of a
    constant target) reads ``n/a``."""
    def shown(key: str, spec: str) -> str:
        value = values.get(key)
        return format(value, spec) if isinstance(value, (int, float)) and math.isfinite(value) else "n/a"

    if "accuracy" in values:
        return f"accuracy {shown('accuracy', '.2%')} on {values['n_samples']} rows"
    return (f"RMSE {shown('rmse', '.6g')}  MAE {shown('mae', '.6g')}  R^2 {shown('r2', '.4f')} "
            f"on {values['n_samples']} rows")


def _skipped_rows_sentence(n: int) -> str:
    """What --drop-missing did, in the words the window uses ("Skip incomplete rows")."""
    return f"Skipped {n:,} incomplete row{'s' if n != 1 else ''} (a missing value in a chosen column)."


# -- predict -------------------------------------------------------------------------------------
def _predict(args) -> int:
    from .core.batch_prediction import predict_table
    from .core.errors import DataError
    from .core.fileio import whole_numbers_as_integers, write_table
    from .core.model import load_model

    model = load_model(args.model)
    if args.data and args.input:
        raise DataError("Give either a data file or --input values, not both.")
    if args.input:
        frame = _single_row(model, args.input)
        result = model.predict(frame)
        from .core.extrapolation import extrapolation_warning

        _warn(extrapolation_warning(model.preprocessor.input_ranges, frame))
        for column, value in result.iloc[0].items():
            print(f"{column}: {value:.6g}" if isinstance(value, float) else f"{column}: {value}")
        return 0
    if not args.data:
        raise DataError("Give a data file to predict, or the inputs as --input COLUMN=VALUE.")
    if args.out and Path(args.out).resolve() == Path(args.data).resolve():
        raise DataError(f"--out would overwrite the data file {args.data}; choose another name.")
    table = _read_data(args)
    predicted = predict_table(model, table, args.drop_missing)  # every row kept, as the window saves it
    _print_reading_notes(table)  # how the file was read, as train says it (stderr: stdout is the result)
    if predicted.n_skipped:
        print(predicted.summary(), file=sys.stderr)
    _warn(predicted.extrapolation(model.preprocessor.input_ranges))
    output = predicted.frame
    if args.out:
        write_table(output, args.out)
        print(predicted.saved_sentence(args.out), file=sys.stderr)
    else:
        whole_numbers_as_integers(output).to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


def _warn(text: str) -> None:
    """``warning: ...`` on stderr (stdout is the result), if there is anything to say."""
    if text:
        print(f"warning: {text}", file=sys.stderr)


def _single_row(model, assignments: list[str]):
    """The one row of ``--input COLUMN=VALUE`` items; numbers are read as typed in the app's form
    (``age=1,000`` is 1000, said on stderr)."""
    import pandas as pd

    from .core.errors import DataError
    from .core.reading.values import read_typed_number

    values: dict[str, object] = {}
    for item in assignments:
        column, sep, value = item.partition("=")
        if not sep:
            raise DataError(f"--input needs COLUMN=VALUE, like age=30; got {item!r}.")
        column = column.strip()
        if column not in model.inputs:
            raise DataError(f'The model has no input "{column}"; its inputs are: {", ".join(model.inputs)}.')
        if model.preprocessor.input_kinds[column] == "categorical":
            values[column] = value.strip()
        else:
            try:
                values[column], read_as = read_typed_number(value)
            except ValueError as error:
                raise DataError(f'Input "{column}" needs a number: {error}') from None
            if read_as:
                print(f'Input "{column}": \u201c{value.strip()}\u201d {read_as}.', file=sys.stderr)
    missing = [c for c in model.inputs if c not in values]
    if missing:
        raise DataError(f"Give a value for every input; missing: {', '.join(missing)}.")
    return pd.DataFrame([values])


# -- evaluate and export -------------------------------------------------------------------------
def _evaluate(args) -> int:
    from .core.data import prepare_dataset
    from .core.model import load_model

    model = load_model(args.model)
    table = _read_data(args)
    dataset = prepare_dataset(table, model.inputs, model.targets, model.task, args.drop_missing, min_classes=1)
    _print_reading_notes(table, dataset)  # the model fixes the task: no choice to explain
    if dataset.n_dropped:
        print(_skipped_rows_sentence(dataset.n_dropped), file=sys.stderr)
    result = model.evaluate(dataset.frame)
    test = model.metrics.get("test")
    if args.json:
        print(json.dumps(_finite_or_none({**result, "test_split": test} if test else result), allow_nan=False))
    else:
        print(f"{Path(args.data).name}: " + _format_metrics(result))
        if test and test.get("n_samples"):
            print("test split held out in training: " + _format_metrics(test))
        if "confusion_matrix" in result:
            classes = [str(c) for c in result["classes"]]
            width = max(len(c) for c in classes + ["actual"]) + 2
            print("confusion matrix (rows: actual, columns: predicted)")
            print(" " * width + "".join(c.rjust(width) for c in classes))
            for label, row in zip(classes, result["confusion_matrix"]):
                print(label.rjust(width) + "".join(str(v).rjust(width) for v in row))
    return 0


def _export(args) -> int:
    from .core.export import export_python
    from .core.model import load_model

    from .core.errors import DataError

    if Path(args.output).resolve() == Path(args.model).resolve():
        raise DataError("-o would overwrite the model file itself; choose another name.")
    model = load_model(args.model)
    if args.format == "onnx":
        from .core.onnx_export import export_onnx

        export_onnx(model, args.output)
        print(f"Wrote {args.output}: its input is the encoded columns {', '.join(model.preprocessor.encoded_inputs)}.",
              file=sys.stderr)
        return 0
    export_python(model, args.output)
    print(f"Wrote {args.output}: run it with 'python {args.output} data.csv'.", file=sys.stderr)
    return 0


# -- cross-validate ------------------------------------------------------------------------------
def _cross_validate(args) -> int:
    from .core.cross_validation import cross_validate, describe

    dataset, spec, config = _training_setup(args)
    result = cross_validate(dataset, spec, config, folds=args.folds, repeats=args.repeats, input_scaling=args.input_scaling)
    if args.json:
        print(json.dumps(_finite_or_none(result.to_dict()), allow_nan=False))
    else:
        print(describe(result))
    return 0


def _finite_or_none(value):
    """JSON has no NaN: missing numbers become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite_or_none(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_none(item) for item in value]
    return value


HANDLERS = {"train": _train, "predict": _predict, "evaluate": _evaluate, "export": _export,
            "cross-validate": _cross_validate}
