"""`make bench`: gkcat on a synthetic province, against the floor of parsing its files with libyaml.

Prints both times and their ratio, and the peak memory of `gkcat validate` as a user runs it.
Targets (issue 2): validate within 3x the floor, peak memory under 1 GiB.
"""

from __future__ import annotations

import gc
import resource
import subprocess
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from province import generate  # noqa: E402

from gkcat.validate import validate_project  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "bench-out"


def best_of(n: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(n):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def parse_floor(files: list[Path]) -> int:
    """Read and parse every file with libyaml: the least any validator must do."""
    for path in files:
        with path.open(encoding="utf-8") as f:
            yaml.load(f, Loader=yaml.CSafeLoader)
    return len(files)


def main() -> int:
    root = OUT / "province"
    if not (root / "gkcat.yaml").exists():
        start = time.perf_counter()
        counts = generate(root)
        print(f"生成合成省份：{counts['localities']} 个地区，{counts['files']} 个文件"
              f"（其中 {counts['overlays']} 个下级目录文件），用时 {time.perf_counter() - start:.1f} 秒")
    files = sorted(root.rglob("*.yaml"))
    size = sum(p.stat().st_size for p in files)
    print(f"文件：{len(files)} 个，{size / 1e6:.1f} MB")

    floor, _ = best_of(3, lambda: parse_floor(files))
    took, result = best_of(3, lambda: validate_project(root))
    diags = result.diagnostics
    rows = sum(len(result.resolver.published(loc, d)) for loc in result.project.localities.values()
               for d in result.project.domains)
    print(f"解析下限（yaml.CSafeLoader 读取并解析全部文件）：{floor:.2f} 秒")
    print(f"gkcat validate（进程内，含读取、检查和全部地区的解析）：{took:.2f} 秒，"
          f"{len(result.project.localities)} 个地区，{rows} 行最终目录，{len(diags)} 条诊断")
    print(f"倍数：{took / floor:.2f}x（目标 ≤ 3x）")

    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "gkcat", "-C", str(root), "validate"], capture_output=True, check=False)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"命令行 gkcat validate：{wall:.2f} 秒（含启动），退出码 {proc.returncode}，峰值内存 {peak:.0f} MiB（目标 < 1024 MiB）")
    if diags:
        print("注意：合成省份应当没有诊断：", diags[:3])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
