"""Synthetic reform plans of any size, written as valid input-format YAML (for the benchmark).

Deterministic for a given size and seed: varied perspectives and businesses, realistic Japanese
text of varied length (brackets, numbers such as 1,543, multi-line bullets), about 8% delayed
activities, highlights on about a third of the businesses.

    python bench/gen.py 1500 > plan-1500.yaml
    python bench/gen.py 1500 --additions plan-1500.yaml   # with effects, indicators and a previous
                                                          # report (plan-1500-previous.yaml beside it)
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

PERSPECTIVES = (
    "民間活力の活用",
    "公共施設等の適正配置",
    "デジタル化による行政サービスの向上",
    "財源の確保と歳出の見直し",
    "組織・人材の活性化",
    "市民との協働の推進",
    "効率的・効果的な行政運営",
    "広域連携の推進",
)
TOPICS = (
    "学校給食",
    "公共施設マネジメント",
    "窓口業務",
    "市税収納",
    "ふるさと納税",
    "指定管理者制度",
    "電子申請",
    "庁内ペーパーレス",
    "公有財産",
    "下水道事業",
    "市営住宅",
    "保育所運営",
    "図書館運営",
    "公園管理",
    "ごみ収集運搬",
    "道路照明",
    "広告収入",
    "使用料・手数料",
    "補助金",
    "職員研修",
    "働き方改革",
    "業務委託",
    "地域コミュニティ",
    "スポーツ施設",
    "文化施設",
    "公用車",
    "会議録作成",
    "証明書コンビニ交付",
    "キャッシュレス決済",
    "RPA・AI-OCR",
)
BUSINESS_SUFFIXES = ("の見直し", "の推進", "事業", "の効率化", "の適正化", "の拡充", "に係る改革")
ACTIONS = (
    "委託化",
    "導入に向けた検討",
    "実施",
    "見直し",
    "統合に向けた協議",
    "デジタル化",
    "利用者アンケートの実施",
    "業務手順書の整備",
    "効果検証",
    "料金体系の改定",
    "関係団体との調整",
    "先進事例の調査",
)
DEPARTMENTS = (
    "行政総務課",
    "財政課",
    "資産経営課",
    "デジタル推進課",
    "職員課",
    "市民課",
    "納税課",
    "学校給食課",
    "保育課",
    "中央図書館",
    "みどり公園・水辺課",
    "環境政策課",
    "下水道経営課",
    "建築住宅課",
    "協働推進課",
    "スポーツ課",
)
PLACES = ("山下小学校", "中央公民館", "総合公園", "市役所本庁舎", "北部地区", "港地区", "駅前周辺", "全庁")
DONE = (
    "{m}月から{t}（{p}）を委託し、少ない経費で安定したサービスの提供が図られている",
    "{t}に関する事業者ヒアリングを{n}社に実施し、課題と効果を整理した",
    "{t}の利用状況を調査したところ、前年同期比で{k}件（{r}%）の増加となった",
    "「{t}の在り方に関する方針」の素案を作成し、庁内の意見照会を行った",
    "{p}において{t}の試行を開始し、{k}件の申請を受け付けた",
    "{t}の実施に向けて、関係部署と{n}回の打合せを行い、スケジュールを確認した",
    "{t}について、国・県の動向や他市の事例（{n}市）を調査し、導入効果を試算した",
)
LATE = (
    "{t}について、事業者との協議に時間を要しており、当初の予定より遅れている",
    "資材価格の高騰により、{t}に係る契約の締結が{m}月以降にずれ込んでいる",
    "{p}の関係者との合意形成に至らず、{t}の開始時期を再調整している",
)
NEXT = (
    "下半期は{t}の効果を検証し、次年度以降の方向性を決定する。",
    "引き続き{t}を進め、{m}月を目途に結果を取りまとめる。",
    "{t}の課題を整理し、実施方針（案）を策定する。",
)
STATUS_WEIGHTS = (("済", 6), ("概ね順調", 76), ("遅れ", 8), ("未着手", 6), ("休止", 4))


class _Text:
    """Sentences from the templates, with numbers that read like a city's figures."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def fill(self, template: str, topic: str) -> str:
        r = self.rng
        return template.format(
            t=topic,
            p=r.choice(PLACES),
            m=r.randint(4, 12),
            n=r.randint(2, 14),
            k=f"{r.randint(12, 4800):,}",
            r=r.randint(2, 35),
        )

    def sentences(self, templates: tuple[str, ...], topic: str, low: int, high: int) -> str:
        count = self.rng.randint(low, high)
        return "。".join(self.fill(self.rng.choice(templates), topic) for _ in range(count)) + "。"


def _status(rng: random.Random) -> str:
    return rng.choices([name for name, _ in STATUS_WEIGHTS], [weight for _, weight in STATUS_WEIGHTS])[0]


def _unique(name: str, used: set[str]) -> str:
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{name}（その{n}）"
    used.add(candidate)
    return candidate


def _q(value: str) -> str:
    """A double-quoted YAML scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _block(value: str, indent: str) -> str:
    """A ``|-`` literal block, so a line break stays a line break."""
    return "|-\n" + "\n".join(indent + line for line in value.split("\n"))


def _activity(lines: list[str], rng: random.Random, text: _Text, topic: str, name: str) -> None:
    status = _status(rng)
    pad = "          "
    lines.append(f"        - name: {_q(name)}")
    lines.append(f"          status: {status}")
    lines.append(f"          department: {_q(rng.choice(DEPARTMENTS))}")
    lines.append(f"          plan: {_q(text.sentences(DONE, topic, 1, 2))}")
    results = [text.sentences(DONE, topic, 1, 3) for _ in range(rng.randint(1, 3))]
    if status == "遅れ":
        lines.append(f"          reason: {_q(text.sentences(LATE, topic, 1, 1))}")
        results[0] = text.sentences(LATE, topic, 1, 2)
    if rng.random() < 0.15:
        results[-1] += "\n" + text.sentences(DONE, topic, 1, 1)
    lines.append("          results:")
    for item in results:
        value = _block(item, pad + "    ") if "\n" in item else _q(item)
        lines.append(f"{pad}  - {value}")
    lines.append(f"          next: {_q(text.fill(rng.choice(NEXT), topic))}")


def _business(
    lines: list[str],
    rng: random.Random,
    text: _Text,
    used: set[str],
    n_act: int,
    extra: _Additions | None = None,
) -> None:
    topic = rng.choice(TOPICS)
    lines.append(f"    - name: {_q(_unique(topic + rng.choice(BUSINESS_SUFFIXES), used))}")
    if rng.random() < 0.25:
        lines.append("      priority: true")
    lines.append(f"      department: {_q(rng.choice(DEPARTMENTS))}")
    if rng.random() < 0.33:
        lines.append("      highlights:")
        for _ in range(rng.randint(1, 2)):
            item = text.sentences(DONE, topic, 1, 2)
            if rng.random() < 0.3:
                item += "\n" + text.sentences(DONE, topic, 1, 1)
            value = _block(item, "          ") if "\n" in item else _q(item)
            lines.append(f"        - {value}")
    lines.append("      activities:")
    names: set[str] = set()
    for i in range(n_act):
        target = rng.choice((topic, *TOPICS))
        name = _unique(f"{target}の{rng.choice(ACTIONS)}", names)
        if extra is None:
            _activity(lines, rng, text, topic, name)
            continue
        written: list[str] = []
        _activity(written, rng, text, topic, name)
        added, status, reported = extra.lines(written[1].split(": ", 1)[1])
        if reported or i == 0:
            lines += [written[0], f"          status: {status}", *added, *written[2:]]


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` as ``parts`` positive numbers of varied size."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    sizes = [max(1, int(total * w / sum(weights))) for w in weights]
    sizes[-1] += total - sum(sizes)
    while sizes[-1] < 1:
        i = max(range(parts), key=sizes.__getitem__)
        sizes[i] -= 1
        sizes[-1] += 1
    return sizes


def generate(activities: int, seed: int = 2022, additions: str | None = None) -> str:
    """The YAML text of a plan with exactly ``activities`` activities; ``additions`` (``current``
    or ``previous``): with ids, effects and indicators, as this report or the one before."""
    rng = random.Random(f"{seed}:{activities}")
    text = _Text(rng)
    extra = _Additions(f"{seed}:{activities}", additions == "previous") if additions else None
    n_businesses = max(1, round(activities / 5))
    n_perspectives = min(len(PERSPECTIVES), max(1, n_businesses // 2))
    lines = [
        "format: 1",
        "plan:",
        "  organization: 平塚市",
        "  title: 平塚市行財政改革計画",
        "  period: [2020, 2023]",
        "report:",
        "  fiscal_year: 2022" if additions != "previous" else "  fiscal_year: 2021",
        "  term: first_half" if additions != "previous" else "  term: second_half",
        "  document_number: 資料1-1",
        "  detail_documents: [資料1-2, 資料1-3]",
        "perspectives:",
    ]
    per_business = split(activities, n_businesses, rng)
    per_perspective = split(n_businesses, n_perspectives, rng)
    it = iter(per_business)
    for name, n_b in zip(PERSPECTIVES, per_perspective):
        lines.append(f"  - name: {_q(name)}")
        lines.append("    businesses:")
        used: set[str] = set()
        for _ in range(n_b):
            _business(lines, rng, text, used, next(it), extra)
    return "\n".join(lines) + "\n"


def write(path: Path, activities: int, seed: int = 2022, additions: bool = False) -> Path:
    """Write the plan to ``path``; returns it. With ``additions``, see ``write_additions``."""
    if additions:
        return write_additions(path, activities, seed)
    path.write_text(generate(activities, seed), encoding="utf-8")
    return path


# --- the Additions (issue 10): ids, effects, indicators and a previous report ------------------

EFFECT_SHARE = 0.7  # activities with a 財政効果額
INDICATOR_SHARE = 0.4  # … with indicators (one or two)
CHANGED_SHARE = 0.1  # … whose status differs in the previous report
NEW_SHARE = 0.02  # … not in the previous report


class _Additions:
    """What the Additions add to each activity, drawn from their own generators so that the plan's
    names and texts stay those of ``generate`` without them; ``previous``: the report before."""

    def __init__(self, seed: str, previous: bool) -> None:
        self.common = random.Random(f"{seed}:additions")  # the same in both reports
        self.own = random.Random(f"{seed}:{'previous' if previous else 'current'}")
        self.previous = previous
        self.number = 0

    def lines(self, status: str) -> tuple[list[str], str, bool]:
        """The activity's extra lines, its status in this report, and whether it is reported."""
        self.number += 1
        common, own = self.common, self.own
        out = [f"          id: A-{self.number:05d}"]
        if common.random() < EFFECT_SHARE:
            target = common.randint(1, 500) * 100
            kind = common.choice(("歳出削減", "歳入確保"))
            actual = own.randint(0, target // 2 if self.previous else target * 12 // 10)
            out += ["          effect:", f"            kind: {kind}", f"            target: {target}"]
            out.append(f"            actual: {actual}")
        if common.random() < INDICATOR_SHARE:
            out.append("          indicators:")
            for k in range(common.randint(1, 2)):
                out.append(f"            - name: {_q(f'指標{k + 1}')}")
                out.append(f"              unit: {_q(common.choice(('件', '%', '校', '人')))}")
                out.append(f"              target: {common.randint(0, 200)}")
                out.append(f"              actual: {own.randint(0, 220)}")
        changed = common.random() < CHANGED_SHARE
        missing = common.random() < NEW_SHARE
        if self.previous and changed:
            status = common.choice([name for name, _ in STATUS_WEIGHTS])
        return out, status, not (self.previous and missing)


def write_additions(path: Path, activities: int, seed: int = 2022) -> Path:
    """A generated plan with ids, effects and indicators at ``path``, and its previous report (the
    period before, 10 % of statuses and the actual amounts different, 2 % of the activities not
    yet there) at ``<stem>-previous.yaml`` beside it, which ``report.previous`` names."""
    previous = path.parent / f"{path.stem}-previous.yaml"
    previous.write_text(generate(activities, seed, "previous"), encoding="utf-8")
    text = generate(activities, seed, "current")
    text = text.replace("  term: first_half\n", f"  term: first_half\n  previous: {previous.name}\n", 1)
    path.write_text(text, encoding="utf-8")
    return path


def write_text_additions(path: Path, text: str, seed: int = 2022) -> Path:
    """An input's text (the sample) with the Additions typed under each activity's ``status:``
    line, at ``path``, and its previous report beside it (as ``write_additions``, no activity
    missing)."""
    previous = path.parent / f"{path.stem}-previous.yaml"
    for which in ("previous", "current"):
        extra = _Additions(f"{seed}:text", which == "previous")
        out = []
        for line in text.splitlines():
            stripped = line.lstrip(" ")
            if stripped.startswith("status: ") and not line.startswith("  status"):
                indent = " " * (len(line) - len(stripped))
                added, status, _ = extra.lines(stripped.split(": ", 1)[1])
                out.append(f"{indent}status: {status}")
                out += [indent + a.removeprefix("          ") for a in added]
                continue
            out.append(line)
        result = "\n".join(out) + "\n"
        if which == "previous":
            result = result.replace("  term: first_half\n", "  term: second_half\n", 1)
            result = re.sub(
                r"(?m)^  fiscal_year: (\d+)$", lambda m: f"  fiscal_year: {int(m[1]) - 1}", result, count=1
            )
            previous.write_text(result, encoding="utf-8")
        else:
            result = result.replace(
                "  term: first_half\n", f"  term: first_half\n  previous: {previous.name}\n", 1
            )
            path.write_text(result, encoding="utf-8")
    return path


def main() -> None:
    """``gen.py N [--additions OUT.yaml]``: a plan of N activities on stdout, or with the Additions
    (and its previous report beside it) written to OUT.yaml."""
    parser = argparse.ArgumentParser(description="A generated plan for the benchmark.")
    parser.add_argument("size", type=int, nargs="?", default=150, help="activities (default 150)")
    parser.add_argument(
        "--additions", metavar="OUT.yaml", type=Path, help="ids, effects, indicators, a previous report"
    )
    args = parser.parse_args()
    if args.additions:
        write(args.additions, args.size, additions=True)
    else:
        sys.stdout.write(generate(args.size))


if __name__ == "__main__":
    main()
