"""Generate a synthetic knowledge base in the real schema, for benchmarks.

Usage: python bench/gen_kb.py N OUT_DIR [--files F] [--seed S]

Writes F files (default 50) holding N entries in total: English and Chinese names,
pinyin with tones, aliases, a summary, a definition of realistic length with cross-links,
typed links, translations, comparison cells and 2–4 sources each. Deterministic for a
given seed, and valid (`nqpf --no-default --kb OUT_DIR validate` reports no errors).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

KINDS = ("concept", "initiative", "document", "sector", "institution", "event", "person")
WORDS = (
    "industrial policy innovation productivity manufacturing technology digital economy "
    "growth quality reform market capital talent energy materials strategy development "
    "regional cluster supply chain standard pilot zone fund enterprise research university "
    "upgrading green intelligent network platform service export investment finance data"
).split()
HANZI = (
    "新质生产力高发展创新产业科技数字经济制造绿色智能"
    "改革市场人才能源材料战略区域集群标准试点基金企业研究"
)
SYLLABLES = (
    "xīn zhì shēng chǎn lì gāo fā zhǎn chuàng xīn chǎn yè kē jì shù zì jīng jì zhì zào "
    "lǜ sè zhì néng gǎi gé shì chǎng rén cái néng yuán cái liào zhàn lüè qū yù"
).split()
DIMENSIONS = ("nature", "goal", "growth_driver", "industries", "technology", "workforce")
# Real text draws on thousands of words, a few of them very common (Zipf); a tiny
# vocabulary would make every query match every entry.
_LETTERS = "bcdfghklmnprstvz"
_VOWELS = "aeiou"
VOCABULARY = list(WORDS) + [
    _LETTERS[i % 16]
    + _VOWELS[i // 16 % 5]
    + _LETTERS[i // 80 % 16]
    + _VOWELS[i // 1280 % 5]
    + _LETTERS[(i * 7) % 16]
    + "al"
    for i in range(4000)
]
WEIGHTS = [1 / (rank + 1) for rank in range(len(VOCABULARY))]


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML scalar


def sentence(rng: random.Random, words: int) -> str:
    chosen = rng.choices(VOCABULARY, weights=WEIGHTS, k=words)
    return (" ".join(chosen)).capitalize() + "."


def entry(rng: random.Random, index: int, total: int) -> str:
    entry_id = f"term-{index:06d}"
    kind = KINDS[index % len(KINDS)]
    name = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {index}"
    zh = "".join(rng.choice(HANZI) for _ in range(rng.randint(3, 6))) + str(index)
    pinyin = " ".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) + f" {index}"
    others = [f"term-{rng.randrange(total):06d}" for _ in range(3)]
    others = [o for o in dict.fromkeys(others) if o != entry_id]
    definition = " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(3, 6)))
    if others:
        definition += f" It builds on {{{others[0]}}}."
    lines = [
        f"  - id: {entry_id}",
        f"    kind: {kind}",
        f"    name: {q(name)}",
        f"    name_zh: {q(zh)}",
        f"    pinyin: {q(pinyin)}",
        f"    aliases: [{q(f'T{index}')}, {q(f'alias {index}')}]",
        f"    summary: {q(sentence(rng, 10))}",
        f"    definition: {q(definition)}",
        f'    date: "{rng.randint(1990, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"',
        "    status: active",
    ]
    if others:
        lines.append(f"    links: {{related: [{', '.join(others)}]}}")
    lines.append(
        f"    translations: [{{text: {q(name.lower())}, used_by: Test Daily, sources: [1]}}]"
    )
    lines.append("    dimensions:")
    for key in rng.sample(DIMENSIONS, 3):
        lines.append(f"      {key}: {{text: {q(sentence(rng, 12))}, sources: [1]}}")
    lines.append("    sources:")
    for n in range(rng.randint(2, 4)):
        lines.append(f"      - title: {q(sentence(rng, 7))}")
        lines.append("        publisher: Test Press")
        lines.append(f'        date: "{rng.randint(2000, 2026)}-0{rng.randint(1, 9)}-1{n}"')
        lines.append(f'        url: "https://example.org/{entry_id}/{n}"')
    return "\n".join(lines)


def header(first: bool) -> str:
    if not first:
        return "entries:\n"
    dims = "\n".join(f"  {key}: {{en: {key.replace('_', ' ').title()}}}" for key in DIMENSIONS)
    return f'version: "1"\ndimensions:\n{dims}\nentries:\n'


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    per_file = max(1, -(-args.count // args.files))
    for file_no in range(args.files):
        start = file_no * per_file
        stop = min(args.count, start + per_file)
        if start >= stop:
            break
        body = "\n".join(entry(rng, i, args.count) for i in range(start, stop))
        path = args.out / f"part-{file_no:03d}.yaml"
        path.write_text(header(file_no == 0) + body + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
