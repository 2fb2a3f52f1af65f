"""Optional per-payer settings, for the few payers the general parser cannot read alone.

Each YAML file in ``config/remittance_templates/`` names the payer by words that appear on
its advices and carries ParseSettings overrides, for example::

    payer: Odd Layout Trading Co
    match: ["Odd Layout Trading"]      # all of these must appear on page 1
    settings:
      phrase_gap: 1.4
      column_labels: {"our ref": invoice, "amt remitted": paid}

The general parser does the work; a template only changes its settings.
"""

from functools import lru_cache

from .settings import ParseSettings
from .vocabulary import norm


@lru_cache(maxsize=1)
def load_templates() -> tuple[tuple[tuple[str, ...], ParseSettings], ...]:
    """Every template as (normalised match words, settings); checked when loaded."""
    import yaml

    from inbox_parsers.resources import data_dir

    try:
        folder = data_dir("config") / "remittance_templates"
    except FileNotFoundError:
        return ()
    templates = []
    for path in sorted(folder.glob("*.y*ml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        match = data.get("match") or []
        if not match:
            raise ValueError(f"{path}: a remittance template needs 'match': words found on the payer's advices")
        settings = dict(data.get("settings") or {})
        try:
            resolved = ParseSettings.resolve(settings)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: {exc}") from exc
        templates.append((tuple(norm(m) for m in match), resolved))
    return tuple(templates)


def settings_for(pages) -> ParseSettings | None:
    """The settings of the template whose words all appear on page 1, or None."""
    templates = load_templates()
    if not templates or not pages:
        return None
    text = norm(" ".join(w.text for w in pages[0].words))
    for match, settings in templates:
        if all(m in text for m in match):
            return settings
    return None
