"""How fast the network diagram builds, recolours and renders, against a naive scene in the same run.

For 3-2-1, 64-32-10 and 784-64-10 networks, measures
  * build:   constructing the scene from the graph;
  * colour:  one live weight update (``set_parameters``; the naive peer sets every line's pen);
  * render:  painting the whole scene, coloured, into a 1600x1000 image with antialiasing.
Ours is :class:`mlp_desktop.gui.editor.NetworkScene` (at most 32 neurons drawn per layer, big
layer pairs as one batched item); the peer is a naive scene with one ``QGraphicsEllipseItem`` per
neuron and one ``QGraphicsLineItem`` per connection, every neuron and connection drawn.
Prints the best of a few repeats and the ratio naive / ours (> 1: ours is faster).

    python benchmarks/diagram_render.py          # about 4-5 minutes on 2 cores: the naive
                                                 # 784-64-10 render alone takes minutes
    python benchmarks/diagram_render.py --fast   # skips that one render
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QRectF  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter, QPen  # noqa: E402
from PySide6.QtWidgets import QApplication, QGraphicsScene  # noqa: E402

from mlp_desktop.core.graph import NetworkGraph  # noqa: E402
from mlp_desktop.gui.editor import NetworkScene  # noqa: E402
from mlp_desktop.gui.editor import style  # noqa: E402
from mlp_desktop.core.parameters import parameter_count, split_parameters  # noqa: E402

NETWORKS = [[3, 2, 1], [64, 32, 10], [784, 64, 10]]
IMAGE_SIZE = (1600, 1000)


def make_graph(sizes: list[int]) -> NetworkGraph:
    return NetworkGraph([f"x{i}" for i in range(sizes[0])], [f"y{j}" for j in range(sizes[-1])],
                        hidden=[(size, "tanh") for size in sizes[1:-1]])


def render(scene: QGraphicsScene) -> float:
    image = QImage(*IMAGE_SIZE, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    start = time.perf_counter()
    scene.render(painter, QRectF(image.rect()), scene.itemsBoundingRect())
    painter.end()
    return time.perf_counter() - start


class NaiveScene(QGraphicsScene):
    """Every neuron an ellipse item, every connection a line item."""

    def __init__(self, sizes: list[int]):
        super().__init__()
        self.lines = []
        columns = []
        for index, size in enumerate(sizes):
            ys = (np.arange(size) - (size - 1) / 2) * 48.0
            columns.append((index * 230.0, ys))
            for y in ys:
                self.addEllipse(index * 230.0 - 15, y - 15, 30, 30, QPen(QColor("#3c3c3c")), QColor("white"))
        for (x0, ys0), (x1, ys1) in zip(columns[:-1], columns[1:]):
            for y0 in ys0:
                for y1 in ys1:
                    self.lines.append(self.addLine(x0, y0, x1, y1, QPen(QColor("#b4b4b4"))))

    def colour(self, sizes: list[int], params: np.ndarray) -> None:
        weights = np.concatenate([w.ravel() for w, _ in split_parameters(sizes, params)])
        scale = np.abs(weights).max()
        for line, value in zip(self.lines, weights.tolist()):
            line.setPen(style.weight_pen(value, abs(value) / scale))  # the same pens as ours


def best(function, repeats: int) -> float:
    return min(function() for _ in range(repeats))


def measure_ours(sizes: list[int], params: np.ndarray, repeats: int) -> tuple[float, float, float, NetworkScene]:
    graph = make_graph(sizes)
    kept = []

    def build() -> float:
        start = time.perf_counter()
        kept.append(NetworkScene(graph))
        return time.perf_counter() - start

    build_time = best(build, repeats)
    scene = kept[-1]

    def colour() -> float:
        start = time.perf_counter()
        scene.set_parameters(params)
        return time.perf_counter() - start

    colour_time = best(colour, repeats * 3)
    render_time = best(lambda: render(scene), repeats)
    for other in kept:
        other.detach()
    return build_time, colour_time, render_time, scene


def measure_naive(sizes: list[int], params: np.ndarray, repeats: int, skip_render: bool = False
                  ) -> tuple[float, float, float]:
    kept = []

    def build() -> float:
        start = time.perf_counter()
        kept.append(NaiveScene(sizes))
        return time.perf_counter() - start

    build_time = best(build, repeats)
    scene = kept[-1]

    def colour() -> float:
        start = time.perf_counter()
        scene.colour(sizes, params)
        return time.perf_counter() - start

    colour_time = best(colour, repeats)
    render_time = float("nan") if skip_render else best(lambda: render(scene), repeats)
    return build_time, colour_time, render_time


def main(argv: list[str] | None = None) -> int:
    fast = "--fast" in (sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication(sys.argv)  # noqa: F841 (needed for fonts and painting)
    rng = np.random.default_rng(0)
    print(f"{'network':>10} {'scene':>6} {'items':>6} {'build ms':>9} {'colour ms':>10} {'render ms':>10}")
    ratios = []
    for sizes in NETWORKS:
        params = rng.normal(size=parameter_count(sizes))
        big = sizes[0] > 100
        ours = measure_ours(sizes, params, repeats=3)
        scene = ours[3]
        naive_scene_items = sum(sizes) + sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        naive = measure_naive(sizes, params, repeats=1 if big else 3, skip_render=fast and big)
        name = "-".join(map(str, sizes))
        print(f"{name:>10} {'ours':>6} {len(scene.items()):>6} {ours[0] * 1e3:9.2f} {ours[1] * 1e3:10.2f} "
              f"{ours[2] * 1e3:10.2f}")
        print(f"{'':>10} {'naive':>6} {naive_scene_items:>6} {naive[0] * 1e3:9.2f} {naive[1] * 1e3:10.2f} "
              f"{naive[2] * 1e3:10.2f}")
        ratio = [n / o for n, o in zip(naive, ours[:3])]
        ratios.append((name, ratio))
        print(f"{'':>10} {'ratio':>6} {'':>6} {ratio[0]:8.1f}x {ratio[1]:9.1f}x {ratio[2]:9.1f}x   (naive / ours)")
    print()
    for name, (build_ratio, colour_ratio, render_ratio) in ratios:
        print(f"{name}: ours is {build_ratio:.1f}x (build), {colour_ratio:.1f}x (colour), {render_ratio:.1f}x (render) "
              "the naive scene's speed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
