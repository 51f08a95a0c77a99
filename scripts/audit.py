"""`make audit`: pip-audit over the pinned requirements, reported honestly.

pip-audit exits 0 when it could not reach its vulnerability service and so checked nothing (every
package "not found on PyPI"). This wrapper reads its JSON report and says how many packages were
really checked. Exit 1: a known vulnerability. Exit 0 with "NIET GECONTROLEERD": the service could not
be reached from this machine, which is said plainly and never reported as a pass."""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        run = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "pip_audit", "-r", str(ROOT / "requirements.txt"), "--progress-spinner", "off",
             "-f", "json", "-o", str(report)], capture_output=True, text=True, check=False)
        if not report.exists():
            print(f"pip-audit: NIET GECONTROLEERD, pip-audit gaf geen rapport (exit {run.returncode}):")
            print(run.stderr.strip()[-2000:])
            return 0 if "Connection" in run.stderr or "resolve" in run.stderr else 1
        dependencies = json.loads(report.read_text())["dependencies"]
    lines, code = summarise(dependencies)
    print("\n".join(lines))
    return code


def summarise(dependencies: list[dict]) -> tuple[list[str], int]:
    """The report's lines and the exit code: 1 only for a known vulnerability."""
    checked = [d for d in dependencies if "skip_reason" not in d]
    skipped = [d for d in dependencies if "skip_reason" in d]
    vulnerable = [d for d in checked if d.get("vulns")]
    lines = []
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "geen"
            lines.append(f"pip-audit: KWETSBAAR {dep['name']} {dep['version']}: {vuln['id']} (opgelost in: {fixes})")
    if checked:
        lines.append(f"pip-audit: {len(checked)} van {len(dependencies)} pakketten gecontroleerd, "
                     f"{len(vulnerable)} met een bekende kwetsbaarheid.")
    if skipped:
        lines.append(f"pip-audit: NIET GECONTROLEERD: {len(skipped)} van {len(dependencies)} pakketten, want de "
                     f"kwetsbaarheidsdienst was niet bereikbaar of kende ze niet (bijvoorbeeld: "
                     f"{skipped[0]['skip_reason']}).")
    if not checked:
        lines.append("pip-audit: GEEN UITSLAG: er is niets gecontroleerd; dit is geen geslaagde controle.")
    return lines, 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
