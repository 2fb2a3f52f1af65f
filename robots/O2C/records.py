"""Check-first keywords: look a record up on a search screen before keying it, so a task stays exactly-once."""

import re

from robots.O2C.base import KeywordFailure, LibraryComponent, keyword


class RecordKeywords(LibraryComponent):
    """Find what a run stopped halfway may already have saved."""

    @keyword("Find Existing Record")
    def find_existing_record(self, screen: str, **key):
        """Searches with the ``search:`` recipe of ``selectors/SCREEN.yaml`` and returns the record found, or ``None``.

        ``key`` gives the search fields (``customer_po=${po}``). The recipe says which
        element each goes in, what to click, the results table, the column(s) a row must
        match whole (case and spaces ignored: the ERP's search may match parts), the column
        to return and the "next page" link to follow. With the file's ``screen: open:``
        address the search screen is opened first.

        | ${existing}= | Find Existing Record | erp/order_list | customer_po=${po} | customer=${customer} |
        | IF | $existing | Complete Work Item With | sales_order=${existing} | found_existing=yes |

        The recipe, in the selectors file::

            search:
              fields: {customer_po: customer_po, customer: customer}
              submit: search
              results: results
              match: {Customer PO: customer_po}
              returns: Order
              next_page: next_page
        """
        from robots.O2C.screen import ScreenKeywords

        screens = ScreenKeywords(self.ctx)
        loaded = self.ctx.use(screen)
        recipe = loaded.file.search
        if not recipe:
            raise KeywordFailure(f"selectors/{screen}.yaml has no 'search:' recipe.")
        unknown = [name for name in key if name not in recipe["fields"]]
        if unknown:
            raise KeywordFailure(f"The search of {screen} has no field {unknown[0]!r}; it has {', '.join(recipe['fields'])}.")
        if loaded.file.check.open:
            screens.open_screen(screen)
        else:
            screens.use_screen(screen)
        from robots.O2C.forms import FormKeywords

        for name, element in recipe["fields"].items():
            FormKeywords(self.ctx).fill_field(element, str(key.get(name) or ""))
        if recipe.get("submit"):
            self.ctx.find(recipe["submit"]).click()
            self.ctx.settle()
            screens.use_screen(screen)
        match = recipe["match"]
        match = match if isinstance(match, dict) else {match: next(iter(key))}
        wanted = {column: _compact(key.get(field, "")) for column, field in match.items() if key.get(field)}
        from robots.O2C.reading import ReadingKeywords

        reader = ReadingKeywords(self.ctx)
        for _ in range(200):  # a pager that never ends is a broken system, not a big one
            for row in reader.read_table(recipe["results"]):
                if all(_compact(row.get(column, "")) == value for column, value in wanted.items()):
                    found = row.get(recipe.get("returns")) if recipe.get("returns") else row
                    self.info(f"Found an existing record on {screen}: {found}")
                    return found
            next_page = recipe.get("next_page")
            if not next_page or self.ctx.screen[next_page].count() == 0:
                break
            self.ctx.find(next_page).click()
            self.ctx.settle()
            screens.use_screen(screen)
        self.info(f"No existing record on {screen} for {key}")
        return None


def _compact(text) -> str:
    return re.sub(r"\s+", "", str(text or "")).upper()
