"""The board report's charts, drawn at build time as inline SVG with matplotlib.

Every function is pure: plain Python values in, a `Chart` (SVG text + one-sentence summary) out. The SVG
is ready to paste into an HTML page: no XML declaration, `role="img"` with a `<title>` and `<desc>`,
width 100 % with the viewBox kept, text left as text, and every id prefixed with the chart's id so many
charts can share a page (the default id is a digest of the inputs: pass `chart_id=` when the same chart
appears twice on one page). Data-bearing artists carry a class (e.g. `spc-points-concerning`) so tests and
browser checks can find them. The same input always gives the same bytes.

Only `matplotlib.figure.Figure` is used (never pyplot): no global figure state; the style is applied with
rc_context under a lock, so charts may be drawn from several threads.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from statistics import median
from xml.sax.saxutils import escape

import matplotlib as mpl
from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.textpath import TextToPath

# NHS identity colours (https://www.england.nhs.uk/nhsidentity/identity-guidelines/colours/).
NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_LIGHT_BLUE = "#41B6E6"
DARK_GREY = "#425563"
MID_GREY = "#768692"
ORANGE = "#ED8B00"
PURPLE = "#330072"
WHITE = "#FFFFFF"
BLACK = "#231F20"

NO_DATA_TEXT = "No data for this period"
FONT_FAMILY = "Arial, Helvetica, sans-serif"
# Layout is measured with matplotlib's bundled DejaVu Sans (identical on every machine, so the bytes
# are too); the page then asks the browser for the plainer NHS fallback stack.
_LAYOUT_FONT = "DejaVu Sans"
_STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "nhs-edi-warehouse-report",
    "font.family": _LAYOUT_FONT,
    "font.size": 9,
    "axes.edgecolor": MID_GREY,
    "axes.labelcolor": DARK_GREY,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlecolor": BLACK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": DARK_GREY,
    "ytick.color": DARK_GREY,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "hatch.linewidth": 0.8,
    "path.simplify": True,
}
_WIDE = (7.2, 3.4)  # inches; the SVG scales to the page width, so only the aspect ratio matters
_ICON_PX = 48
_CHART_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
# Our own ids are set as "edi:<class>" or "edi:<class>:<index>"; see _mark.
_MARKED_ID = re.compile(r'id="edi:([a-z0-9-]+)(?::([0-9]+))?"')
# Geometry is written to 6 decimals of a point; 2 are far below a pixel and make the SVG a third smaller.
_ATTRIBUTE_WITH_NUMBERS = re.compile(r'( (?:d|x|y|transform)=")([^"]*)"')
_LONG_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]{3,}")


@dataclass(frozen=True)
class Chart:
    svg: str
    summary: str


@dataclass(frozen=True)
class SpcPoint:
    period_end: date
    value: float | None
    centre: float | None
    upl: float | None
    lpl: float | None
    upper_2sigma: float | None
    lower_2sigma: float | None
    segment: int
    is_rebase_start: bool
    limits_status: str | None
    special_cause_rule: str | None
    variation: str | None
    is_immature: bool


@dataclass(frozen=True)
class QuartileShare:
    quartile: int
    group: str
    share_pct: float | None


@dataclass(frozen=True)
class ComparisonRow:
    category: str
    series: str
    value: float | None


@dataclass(frozen=True)
class CiRow:
    label: str
    value: float | None
    ci_lower: float | None
    ci_upper: float | None


# --------------------------------------------------------------------------------------------------
# Shared rendering


# rc_context swaps matplotlib's process-wide rcParams for the duration of one chart; the lock keeps
# two threads drawing at once from seeing each other's (or a half-restored) style.
_STYLE_LOCK = threading.RLock()


@contextmanager
def _style() -> Iterator[None]:
    with _STYLE_LOCK, mpl.rc_context(_STYLE):
        yield


def _mark(artist, css_class: str, index: int | None = None) -> None:
    """Tag a data-bearing artist; _finish_svg turns the tag into a unique id plus a class."""
    artist.set_gid(f"edi:{css_class}" if index is None else f"edi:{css_class}:{index}")


def _default_chart_id(*inputs: object) -> str:
    return "chart-" + hashlib.sha256(repr(inputs).encode("utf-8")).hexdigest()[:10]


def _checked_chart_id(chart_id: str | None, *inputs: object) -> str:
    if chart_id is None:
        return _default_chart_id(*inputs)
    if not _CHART_ID.match(chart_id):
        raise ValueError(f"chart_id {chart_id!r} must be a letter then letters, digits, '-' or '_'")
    return chart_id


def _render(fig: Figure, title: str, summary: str, chart_id: str) -> Chart:
    return Chart(svg=_finish_svg(_svg_of(fig), title, summary, chart_id, icon=False), summary=summary)


def _svg_of(fig: Figure) -> str:
    buffer = io.StringIO()
    # Creator/Date left out: they would make equal charts differ between builds and versions.
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _finish_svg(raw: str, title: str, summary: str, chart_id: str, icon: bool) -> str:
    svg = raw[raw.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    # Every text inherits the font stack from the root instead of repeating it.
    svg = re.sub(r"font-family: '" + _LAYOUT_FONT + r"'(, sans-serif)?(; )?", "", svg)
    svg = _ATTRIBUTE_WITH_NUMBERS.sub(lambda m: m[1] + _LONG_DECIMAL.sub(_two_decimals, m[2]) + '"', svg)
    svg = _prefix_ids(svg, chart_id)
    font = f"font-family: {FONT_FAMILY}"
    size = (
        f'width="{_ICON_PX}" height="{_ICON_PX}" style="{font}"'
        if icon
        else f'width="100%" style="height: auto; max-width: 100%; {font}"'
    )
    svg = re.sub(r'width="[0-9.]+pt" height="[0-9.]+pt"', size, svg, count=1)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    opening_end = svg.index(">") + 1
    opening = svg[: opening_end - 1] + (
        f' role="img" aria-labelledby="{title_id} {desc_id}" id="{chart_id}">'
        f'\n <title id="{title_id}">{escape(title)}</title>'
        f'\n <desc id="{desc_id}">{escape(summary)}</desc>'
    )
    return opening + svg[opening_end:].rstrip() + "\n"


def _two_decimals(match: re.Match) -> str:
    return f"{float(match[0]):.2f}"


def _prefix_ids(svg: str, chart_id: str) -> str:
    """Every id unique on the page: prefix ids and their references; our tags also become classes."""
    svg = _MARKED_ID.sub(
        lambda m: (
            f'id="{chart_id}-{m[1]}{"-" + m[2] if m[2] else ""}" class="{m[1]}"'
        ),
        svg,
    )
    svg = re.sub(r'id="(?!' + re.escape(chart_id) + r'-)([^"]+)"', rf'id="{chart_id}-\1"', svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{chart_id}-\1"', svg)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{chart_id}-\1)", svg)


def _no_data(title: str, chart_id: str) -> Chart:
    with _style():
        fig = Figure(figsize=(_WIDE[0], 1.2))
        fig.text(0.01, 0.8, title, fontsize=10, fontweight="bold", color=BLACK, va="top")
        note = fig.text(0.5, 0.35, NO_DATA_TEXT, ha="center", va="center", color=DARK_GREY)
        _mark(note, "no-data")
        return _render(fig, title, f"{title}: {NO_DATA_TEXT.lower()}.", chart_id)


def _fmt(value: float) -> str:
    """Plain-English number: 3 significant figures or so, thousands separated."""
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _present(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def _nan(value: float | None) -> float:
    return value if _present(value) else math.nan


# --------------------------------------------------------------------------------------------------
# 1. XmR chart (Making Data Count)

# Class -> (face colour, edge colour, marker shape, legend words). Shapes differ so colour is never
# the only signal.
_SPC_CLASSES = {
    "improving": (NHS_BLUE, NHS_DARK_BLUE, "s", "Special cause: improvement"),
    "concerning": (ORANGE, BLACK, "D", "Special cause: concern"),
    "neither": (PURPLE, PURPLE, "^", "Special cause: neither better nor worse"),
    "common": (MID_GREY, DARK_GREY, "o", "Common cause"),
    "not-assessed": ("#E8EDEE", MID_GREY, "o", "Not assessed"),
}
_VARIATION_CLASS = {
    "improving": "improving",
    "concerning": "concerning",
    "neither": "neither",
    "common_cause": "common",
    None: "common",
    "not_assessed": "not-assessed",
}
_LIMITS_STATUSES = {"trial", "firm", None}


def spc_class(variation: str | None) -> str:
    """The chart's point class for a fct_spc_point.variation value (a ValueError names an unknown one)."""
    try:
        return _VARIATION_CLASS[variation]
    except KeyError:
        raise ValueError(f"unknown SPC variation {variation!r}") from None


def xmr_chart(
    title: str,
    unit_label: str,
    points: Sequence[SpcPoint],
    higher_is_better: bool | None,
    *,
    chart_id: str | None = None,
) -> Chart:
    """Making Data Count XmR chart: values, mean and process limits per segment, special causes."""
    chart_id = _checked_chart_id(chart_id, "xmr", title, unit_label, tuple(points), higher_is_better)
    points = sorted(points, key=lambda p: p.period_end)
    for point in points:
        spc_class(point.variation)
        if point.limits_status not in _LIMITS_STATUSES:
            raise ValueError(f"unknown SPC limits_status {point.limits_status!r}")
    if not any(_present(p.value) for p in points):
        return _no_data(title, chart_id)
    summary = _xmr_summary(title, points)
    with _style():
        fig = Figure(figsize=_WIDE)
        ax = fig.add_subplot()
        x = [mdates.date2num(p.period_end) for p in points]
        half_step = _half_step(x)
        _draw_segment_lines(ax, points, x, half_step)
        _draw_rebases(ax, points, x, half_step)
        value_line = ax.plot(x, [_nan(p.value) for p in points], color=DARK_GREY, lw=1.1, zorder=2)[0]
        _mark(value_line, "spc-values")
        classes_drawn = _draw_spc_points(ax, points, x)
        _annotate_trial_limits(ax, points, x)
        _spc_axes(ax, title, unit_label, higher_is_better, x, half_step)
        _spc_legend(ax, classes_drawn, any(p.is_immature for p in points))
        fig.subplots_adjust(left=0.1, right=0.98, top=0.88, bottom=0.3)
        return _render(fig, title, summary, chart_id)


def _half_step(x: list[float]) -> float:
    gaps = [b - a for a, b in zip(x, x[1:]) if b > a]
    return median(gaps) / 2 if gaps else 15.0


def _segments(points: Sequence[SpcPoint]) -> list[list[int]]:
    """Indices of the points of each segment, in time order."""
    runs: list[list[int]] = []
    for i, point in enumerate(points):
        if not runs or point.segment != points[runs[-1][0]].segment:
            runs.append([])
        runs[-1].append(i)
    return runs


def _segment_line(points, x, half_step, field: str) -> tuple[list[float], list[float]]:
    """One line across every segment, half a period beyond its ends, broken (NaN) between segments
    so the line steps at a rebase."""
    xs: list[float] = []
    ys: list[float] = []
    for run in _segments(points):
        values = [_nan(getattr(points[i], field)) for i in run]
        xs += [x[run[0]] - half_step, *(x[i] for i in run), x[run[-1]] + half_step, math.nan]
        ys += [values[0], *values, values[-1], math.nan]
    return xs, ys


def _draw_segment_lines(ax, points, x, half_step) -> None:
    mean = ax.plot(*_segment_line(points, x, half_step, "centre"), color=DARK_GREY, lw=1.4, zorder=1)[0]
    _mark(mean, "spc-mean")
    for field, name in (("upl", "spc-upl"), ("lpl", "spc-lpl")):
        line = ax.plot(
            *_segment_line(points, x, half_step, field), color=MID_GREY, lw=1.1, ls=(0, (4, 3)), zorder=1
        )[0]
        _mark(line, name)


def _draw_rebases(ax, points, x, half_step) -> None:
    starts = [x[i] - half_step for i, p in enumerate(points) if p.is_rebase_start]
    if not starts:
        return
    marker = ax.vlines(starts, 0, 1, transform=ax.get_xaxis_transform(), colors=BLACK, lw=1, ls=":")
    _mark(marker, "spc-rebase")
    for n, start in enumerate(starts, 1):
        label = ax.text(
            start, 1.01, "Rebased", transform=ax.get_xaxis_transform(), fontsize=7.5, color=BLACK,
            ha="center", va="bottom",
        )
        _mark(label, "spc-rebase-label", n)


def _draw_spc_points(ax, points, x) -> list[str]:
    drawn = []
    for name, (face, edge, shape, _words) in _SPC_CLASSES.items():
        members = [i for i, p in enumerate(points) if spc_class(p.variation) == name and _present(p.value)]
        if not members:
            continue
        faces = [WHITE if points[i].is_immature else face for i in members]
        dots = ax.scatter(
            [x[i] for i in members], [points[i].value for i in members], s=30 if name != "common" else 18,
            marker=shape, facecolors=faces, edgecolors=edge, linewidths=1.1, zorder=3,
            clip_on=False,  # every point is inside the axes; unclipped markers are half the bytes
        )
        _mark(dots, f"spc-points-{name}")
        drawn.append(name)
    return drawn


def _annotate_trial_limits(ax, points, x) -> None:
    for run in _segments(points):
        if not any(points[i].limits_status == "trial" for i in run):
            continue
        label = ax.text(
            x[run[0]], 0.93, " Trial limits", transform=ax.get_xaxis_transform(), fontsize=7.5,
            color=BLACK, style="italic", ha="left", va="top",
        )
        _mark(label, "spc-trial-label", points[run[0]].segment)


def _spc_axes(ax, title, unit_label, higher_is_better, x, half_step) -> None:
    ax.set_title(title, loc="left")
    direction = {True: "higher is better", False: "lower is better", None: "no better direction"}
    ax.set_ylabel(f"{unit_label}\n({direction[higher_is_better]})", fontsize=8)
    ax.set_xlim(x[0] - 2 * half_step, x[-1] + 2 * half_step)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.tick_params(axis="both", labelsize=8)
    ax.grid(axis="y", color="#E8EDEE", lw=0.6)
    ax.set_axisbelow(True)


def _spc_legend(ax, classes_drawn, has_immature) -> None:
    handles = [
        Line2D([], [], color=DARK_GREY, lw=1.4, label="Mean"),
        Line2D([], [], color=MID_GREY, lw=1.1, ls=(0, (4, 3)), label="Process limits"),
    ]
    for name in classes_drawn:
        face, edge, shape, words = _SPC_CLASSES[name]
        handles.append(Line2D([], [], ls="", marker=shape, mfc=face, mec=edge, label=words))
    if has_immature:
        handles.append(Line2D([], [], ls="", marker="o", mfc=WHITE, mec=DARK_GREY, label="Not yet complete"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.14), ncol=3, handlelength=2.2)


def _xmr_summary(title: str, points: Sequence[SpcPoint]) -> str:
    frequency = _frequency([p.period_end for p in points])
    valued = [p for p in points if _present(p.value)]
    latest = valued[-1]
    parts = [f"latest {_fmt(latest.value)}"]
    if latest.is_immature:
        parts[0] += " (not yet complete)"
    if _present(latest.centre):
        parts.append(f"mean {_fmt(latest.centre)}")
    counts = {name: 0 for name in ("concerning", "improving", "neither")}
    for point in valued:
        name = spc_class(point.variation)
        if name in counts:
            counts[name] += 1
    notes = []
    if any(counts.values()):
        words = {"concerning": "of concern", "improving": "of improvement", "neither": "neither better nor worse"}
        notes.append(
            "special cause variation: "
            + ", ".join(f"{n} point{'s' if n != 1 else ''} {words[k]}" for k, n in counts.items() if n)
        )
    else:
        notes.append("no special cause variation")
    rebases = [p.period_end for p in points if p.is_rebase_start]
    if rebases:
        notes.append("limits rebased in " + ", ".join(d.strftime("%b %Y") for d in rebases))
    if valued and latest.limits_status == "trial":
        notes.append("trial limits")
    span = f"{points[0].period_end:%b %Y} to {points[-1].period_end:%b %Y}"
    return f"{title}, {frequency}, {span}: {', '.join(parts)}; {'; '.join(notes)}."


def _frequency(period_ends: list[date]) -> str:
    gaps = [(b - a).days for a, b in zip(period_ends, period_ends[1:])]
    if not gaps:
        return "one period"
    typical = median(gaps)
    if typical <= 45:
        return "monthly"
    if typical <= 120:
        return "quarterly"
    return "yearly"


# --------------------------------------------------------------------------------------------------
# 2. Making Data Count icons (the meaning of NHS England's set, drawn by us)

# kind -> (fill, edge, letter, letter colour, body shape, meaning). Body shapes match the XmR markers.
_VARIATION_ICONS = {
    "common_cause": (MID_GREY, DARK_GREY, "", WHITE, "o", "Common cause variation: no significant change"),
    "improving_high": (NHS_BLUE, NHS_DARK_BLUE, "H", WHITE, "s",
                       "Special cause variation of an improving nature: higher values"),
    "improving_low": (NHS_BLUE, NHS_DARK_BLUE, "L", WHITE, "s",
                      "Special cause variation of an improving nature: lower values"),
    "concerning_high": (ORANGE, BLACK, "H", BLACK, "D",
                        "Special cause variation of a concerning nature: higher values"),
    "concerning_low": (ORANGE, BLACK, "L", BLACK, "D",
                       "Special cause variation of a concerning nature: lower values"),
    "neither_high": (PURPLE, PURPLE, "H", WHITE, "^",
                     "Special cause variation, neither improving nor concerning: higher values"),
    "neither_low": (PURPLE, PURPLE, "L", WHITE, "^",
                    "Special cause variation, neither improving nor concerning: lower values"),
    "not_assessed": (WHITE, MID_GREY, "–", DARK_GREY, "o", "Variation not assessed: no complete period yet"),
}
_ASSURANCE_ICONS = {
    "pass": (NHS_BLUE, NHS_DARK_BLUE, "P", WHITE, "o", "Assurance: the target will consistently be met"),
    "fail": (ORANGE, BLACK, "F", BLACK, "o", "Assurance: the target will consistently be missed"),
    "hit_and_miss": (MID_GREY, DARK_GREY, "?", WHITE, "o",
                     "Assurance: the target will be met or missed by random variation"),
}


_ICON_FAMILIES = {"variation": _VARIATION_ICONS, "assurance": _ASSURANCE_ICONS}


def variation_icon(kind: str, *, chart_id: str | None = None) -> Chart:
    """Variation icon for a fct_spc_summary.variation_icon value."""
    return _icon("variation", kind, chart_id)


def assurance_icon(kind: str, *, chart_id: str | None = None) -> Chart:
    """Assurance icon for a fct_spc_summary.assurance value."""
    return _icon("assurance", kind, chart_id)


def _icon(family: str, kind: str, chart_id: str | None) -> Chart:
    icons = _ICON_FAMILIES[family]
    if kind not in icons:
        raise ValueError(f"unknown {family} icon {kind!r}; expected one of {', '.join(icons)}")
    meaning = icons[kind][-1]
    chart_id = _checked_chart_id(chart_id, family, kind)
    return Chart(svg=_finish_svg(_icon_svg(family, kind), meaning, meaning + ".", chart_id, icon=True),
                 summary=meaning + ".")


@functools.cache
def _icon_svg(family: str, kind: str) -> str:
    """The icon as matplotlib draws it, before its ids are made unique (_finish_svg): drawn once per
    process, since every page shows a dozen icons of a few kinds and each costs a small chart's time."""
    fill, edge, letter, letter_colour, shape, _ = _ICON_FAMILIES[family][kind]
    with _style():
        fig = Figure(figsize=(_ICON_PX / 72, _ICON_PX / 72))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set_xlim(-1, 1)
        ax.set_ylim(-1, 1)
        body = ax.scatter([0], [0], s=1500 if shape != "^" else 1700, marker=shape, facecolors=fill,
                          edgecolors=edge, linewidths=2,
                          linestyles="dashed" if kind == "not_assessed" else "solid")
        _mark(body, f"icon-{family}-{kind.replace('_', '-')}")
        if letter:
            y = -0.22 if shape == "^" else 0.0
            ax.text(0, y, letter, ha="center", va="center", fontsize=17, fontweight="bold", color=letter_colour)
        return _svg_of(fig)


# --------------------------------------------------------------------------------------------------
# 3.-6. Pay quartiles, comparisons, peers, confidence intervals

# Series/group styles: colour AND hatch pattern, so each stays distinguishable in grey print.
_SERIES_STYLES = [
    (NHS_BLUE, "", WHITE),
    (NHS_LIGHT_BLUE, "//", BLACK),
    (ORANGE, "--", BLACK),  # line hatches only: a dot hatch is drawn as ~50 KB of circles
    (PURPLE, "xx", WHITE),
    ("#AE2573", "\\\\", WHITE),
    (DARK_GREY, "++", WHITE),
]
_QUARTILE_NAMES = {1: "Lower", 2: "Lower middle", 3: "Upper middle", 4: "Upper"}


def _style_of(index: int) -> tuple[str, str, str]:
    return _SERIES_STYLES[index % len(_SERIES_STYLES)]


def _in_order(labels) -> list[str]:
    return list(dict.fromkeys(labels))


_QUARTILE_LEFT, _QUARTILE_RIGHT = 0.17, 0.98  # the bars' share of the figure's width
_QUARTILE_LABEL_SIZE = 7.5
_QUARTILE_LABEL_MARGIN_PT = 6.0
_TEXT_TO_PATH = TextToPath()


def _fits_in_quartile_bar(label: str, pct: float) -> bool:
    """Whether a group's label fits inside its share of a quartile bar. Measured in the layout font
    (the browser's Arial or Helvetica is narrower), so a long group name ("All ethnic minority groups")
    is not printed over its neighbours; the legend and the data table still name every share."""
    width, _height, _descent = _TEXT_TO_PATH.get_text_width_height_descent(
        label, FontProperties(family=_LAYOUT_FONT, size=_QUARTILE_LABEL_SIZE), ismath=False)
    points_per_pct = _WIDE[0] * 72 * (_QUARTILE_RIGHT - _QUARTILE_LEFT) / 100
    return width + _QUARTILE_LABEL_MARGIN_PT <= pct * points_per_pct


def quartile_chart(title: str, rows: Sequence[QuartileShare], *, chart_id: str | None = None) -> Chart:
    """100 % stacked horizontal bars, one per pay quartile (upper at the top), groups named in text."""
    chart_id = _checked_chart_id(chart_id, "quartile", title, tuple(rows))
    for row in rows:
        if row.quartile not in _QUARTILE_NAMES:
            raise ValueError(f"pay quartile {row.quartile!r} is not 1-4")
    if not any(_present(r.share_pct) for r in rows):
        return _no_data(title, chart_id)
    groups = _in_order(r.group for r in rows)
    share = {(r.quartile, r.group): r.share_pct for r in rows if _present(r.share_pct)}
    with _style():
        fig = Figure(figsize=(_WIDE[0], 2.9))
        ax = fig.add_subplot()
        for q in _QUARTILE_NAMES:
            left = 0.0
            if not any((q, g) in share for g in groups):
                ax.text(1, q, "Not available", va="center", fontsize=8, color=DARK_GREY)
            for gi, group in enumerate(groups):
                pct = share.get((q, group))
                if pct is None:
                    continue
                colour, hatch, text_colour = _style_of(gi)
                bar = ax.barh(q, pct, left=left, height=0.62, color=colour, hatch=hatch, edgecolor=WHITE, lw=0.8,
                              clip_on=False)
                _mark(bar.patches[0], f"quartile-group-{gi}", q)
                label = f"{group} {pct:.0f}%"
                if _fits_in_quartile_bar(label, pct):
                    ax.text(left + pct / 2, q, label, ha="center", va="center",
                            fontsize=_QUARTILE_LABEL_SIZE, color=text_colour,
                            bbox={"facecolor": colour, "edgecolor": "none", "pad": 1.2})
                left += pct
        ax.set_yticks(list(_QUARTILE_NAMES), [f"{n} quartile" for n in _QUARTILE_NAMES.values()])
        ax.set_xlim(0, 100)
        ax.set_xlabel("Share of the quartile's staff (%)", fontsize=8)
        ax.set_title(title, loc="left")
        ax.tick_params(labelsize=8)
        handles = [Patch(facecolor=_style_of(i)[0], hatch=_style_of(i)[1], edgecolor=WHITE, label=g)
                   for i, g in enumerate(groups)]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.22), ncol=min(len(groups), 4))
        fig.subplots_adjust(left=_QUARTILE_LEFT, right=_QUARTILE_RIGHT, top=0.87, bottom=0.32)
        return _render(fig, title, _quartile_summary(title, groups, share), chart_id)


def _quartile_summary(title, groups, share) -> str:
    def shares(q: int) -> str:
        known = [f"{g} {share[(q, g)]:.0f}%" for g in groups if (q, g) in share]
        return ", ".join(known) if known else "not available"

    return f"{title}: lower quartile {shares(1)}; upper quartile {shares(4)}."


def comparison_bars(
    title: str, unit_label: str, rows: Sequence[ComparisonRow], *, chart_id: str | None = None
) -> Chart:
    """Grouped horizontal bars per category, series told apart by pattern and colour, values printed."""
    chart_id = _checked_chart_id(chart_id, "comparison", title, unit_label, tuple(rows))
    if not any(_present(r.value) for r in rows):
        return _no_data(title, chart_id)
    categories = _in_order(r.category for r in rows)
    series = _in_order(r.series for r in rows)
    value = {(r.category, r.series): r.value for r in rows}
    bar_height = 0.8 / len(series)
    top = max(_nan(v) for v in value.values() if _present(v))
    with _style():
        fig = Figure(figsize=(_WIDE[0], 0.9 + 0.22 * len(categories) * len(series) + 0.5))
        ax = fig.add_subplot()
        for si, name in enumerate(series):
            colour, hatch, _text = _style_of(si)
            for ci, category in enumerate(categories):
                y = ci + (si - (len(series) - 1) / 2) * bar_height
                v = value.get((category, name))
                shown = v if _present(v) else 0.0
                bar = ax.barh(y, shown, height=bar_height * 0.92, color=colour, hatch=hatch, edgecolor=DARK_GREY,
                              lw=0.5, clip_on=False)
                _mark(bar.patches[0], f"cmp-series-{si}", ci)
                label = _fmt(v) if _present(v) else "not available"
                ax.text(max(shown, 0) + top * 0.01, y, label, va="center", fontsize=7, color=BLACK)
        ax.set_yticks(range(len(categories)), categories)
        ax.invert_yaxis()
        ax.set_xlim(min(0.0, *(v for v in value.values() if _present(v))), top * 1.15 if top > 0 else 1)
        ax.set_xlabel(unit_label, fontsize=8)
        ax.set_title(title, loc="left")
        ax.tick_params(labelsize=8)
        handles = [Patch(facecolor=_style_of(i)[0], hatch=_style_of(i)[1], edgecolor=DARK_GREY, label=s)
                   for i, s in enumerate(series)]
        ax.legend(handles=handles, loc="lower right", fontsize=7.5)
        fig.tight_layout()
        summary = f"{title}: " + "; ".join(
            f"{c}: " + ", ".join(f"{s} {_fmt(value[(c, s)])}" for s in series if _present(value.get((c, s))))
            for c in categories
            if any(_present(value.get((c, s))) for s in series)
        ) + "."
        return _render(fig, title, summary, chart_id)


def dot_strip(
    title: str,
    unit_label: str,
    values: Sequence[float],
    highlight: float | None,
    highlight_label: str,
    reference: float | None,
    *,
    chart_id: str | None = None,
) -> Chart:
    """Peers' values as dots on one axis, this trust as a larger labelled marker, a reference line."""
    chart_id = _checked_chart_id(chart_id, "dots", title, unit_label, tuple(values), highlight,
                                 highlight_label, reference)
    peers = sorted(v for v in values if _present(v))
    if not peers and not _present(highlight):
        return _no_data(title, chart_id)
    shown = peers + [v for v in (highlight, reference) if _present(v)]
    low, high = min(shown), max(shown)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
    with _style():
        fig = Figure(figsize=(_WIDE[0], 1.7))
        ax = fig.add_subplot()
        if peers:
            dots = ax.scatter(peers, _stacked_heights(peers, low - pad, high + pad), s=22, marker="o",
                              facecolors=MID_GREY, edgecolors=DARK_GREY, linewidths=0.6, zorder=2, clip_on=False)
            _mark(dots, "peer-dots")
        if _present(reference):
            line = ax.axvline(reference, color=BLACK, lw=1, ls=(0, (3, 2)), zorder=1)
            _mark(line, "peer-reference")
            ax.text(reference, 1.0, f" Reference {_fmt(reference)}", transform=ax.get_xaxis_transform(),
                    fontsize=7, va="top", color=BLACK)
        if _present(highlight):
            mark = ax.scatter([highlight], [0], s=110, marker="D", facecolors=NHS_BLUE, edgecolors=BLACK,
                              linewidths=1, zorder=3)
            _mark(mark, "peer-highlight")
            ax.annotate(f"{highlight_label} {_fmt(highlight)}", (highlight, 0), xytext=(0, -9),
                        textcoords="offset points", ha="center", va="top", fontsize=8, fontweight="bold",
                        color=NHS_DARK_BLUE)
        ax.set_xlim(low - pad, high + pad)
        ax.set_ylim(-2.6, 4)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.set_xlabel(unit_label, fontsize=8)
        ax.set_title(title, loc="left")
        ax.tick_params(labelsize=8)
        fig.subplots_adjust(left=0.03, right=0.97, top=0.8, bottom=0.3)
        return _render(fig, title, _dot_summary(title, peers, highlight, highlight_label, reference), chart_id)


def _stacked_heights(sorted_values: list[float], low: float, high: float) -> list[float]:
    """Dots that would overlap are stacked upwards (a deterministic beeswarm)."""
    width = (high - low) / 45
    heights: list[float] = []
    column_start, level = None, 0
    for v in sorted_values:
        if column_start is not None and v - column_start < width:
            level += 1
        else:
            column_start, level = v, 0
        heights.append(0.75 * level)
    return heights


def _dot_summary(title, peers, highlight, label, reference) -> str:
    parts = []
    if _present(highlight):
        parts.append(f"{label} {_fmt(highlight)}")
        if peers:
            below = sum(1 for v in peers if v < highlight)
            parts.append(f"above {below} of {len(peers)} peer values")
    else:
        parts.append(f"{label} not available")
    if peers:
        parts.append(f"peer median {_fmt(median(peers))}")
    if _present(reference):
        parts.append(f"reference {_fmt(reference)}")
    return f"{title}: {', '.join(parts)}."


def ci_chart(
    title: str, unit_label: str, rows: Sequence[CiRow], parity: float | None, *, chart_id: str | None = None
) -> Chart:
    """Forest plot: a point and its 95 % CI per row; a CI that spans parity is hollow and said in words."""
    chart_id = _checked_chart_id(chart_id, "ci", title, unit_label, tuple(rows), parity)
    if not any(_present(r.value) for r in rows):
        return _no_data(title, chart_id)
    with _style():
        fig = Figure(figsize=(_WIDE[0], 0.9 + 0.32 * len(rows) + 0.4))
        ax = fig.add_subplot()
        ys = list(range(len(rows)))
        clear = [i for i, r in enumerate(rows) if _present(r.value) and not _spans(r, parity)]
        unclear = [i for i, r in enumerate(rows) if _present(r.value) and _spans(r, parity)]
        with_ci = [i for i, r in enumerate(rows) if _present(r.value) and _present(r.ci_lower) and _present(r.ci_upper)]
        if with_ci:
            bars = ax.hlines([ys[i] for i in with_ci], [rows[i].ci_lower for i in with_ci],
                             [rows[i].ci_upper for i in with_ci], colors=DARK_GREY, lw=1.6, zorder=2)
            _mark(bars, "ci-intervals")
        for members, name, face in ((clear, "ci-points-clear", NHS_BLUE), (unclear, "ci-points-unclear", WHITE)):
            if members:
                dots = ax.scatter([rows[i].value for i in members], [ys[i] for i in members], s=40, marker="s",
                                  facecolors=face, edgecolors=NHS_DARK_BLUE, linewidths=1.3, zorder=3, clip_on=False)
                _mark(dots, name)
        for n, i in enumerate(unclear, 1):
            note = ax.annotate("no clear difference", (_ci_right(rows[i]), ys[i]), xytext=(6, 0),
                               textcoords="offset points", va="center", fontsize=7, color=BLACK, style="italic")
            _mark(note, "ci-no-clear-difference", n)
        for i, row in enumerate(rows):
            if not _present(row.value):
                ax.annotate("not available", (parity if _present(parity) else 0, ys[i]), xytext=(6, 0),
                            textcoords="offset points", va="center", fontsize=7, color=DARK_GREY)
        if _present(parity):
            line = ax.axvline(parity, color=BLACK, lw=1, ls=(0, (3, 2)), zorder=1)
            _mark(line, "ci-parity")
        ax.set_yticks(ys, [r.label for r in rows])
        ax.invert_yaxis()
        ax.margins(x=0.25)
        ax.set_xlabel(f"{unit_label} (95% confidence interval)", fontsize=8)
        ax.set_title(title, loc="left")
        ax.tick_params(labelsize=8)
        fig.tight_layout()
        return _render(fig, title, _ci_summary(title, rows, parity), chart_id)


def _spans(row: CiRow, parity: float | None) -> bool:
    return (
        _present(parity) and _present(row.ci_lower) and _present(row.ci_upper)
        and row.ci_lower <= parity <= row.ci_upper
    )


def _ci_right(row: CiRow) -> float:
    return row.ci_upper if _present(row.ci_upper) else row.value


def _ci_summary(title: str, rows: Sequence[CiRow], parity: float | None) -> str:
    def describe(row: CiRow) -> str:
        if not _present(row.value):
            return f"{row.label} not available"
        text = f"{row.label} {_fmt(row.value)}"
        if _present(row.ci_lower) and _present(row.ci_upper):
            text += f" (95% CI {_fmt(row.ci_lower)} to {_fmt(row.ci_upper)})"
        return text + (", no clear difference" if _spans(row, parity) else "")

    return f"{title}: " + "; ".join(describe(r) for r in rows) + "."
