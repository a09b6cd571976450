"""Completion logic over the real tokenizer, with the image's names given as plain data."""

from collections.abc import Iterable

import attrs

from stui_trio.tools.completion import Receiver, complete, rank


@attrs.define
class Names:
    """The names a small image would answer (a NameSource made of dicts)."""

    workspace: dict[str, str] = attrs.field(factory=dict)  # variable -> class name
    selectors: dict[str, list[str]] = attrs.field(factory=dict)  # class name -> selectors
    class_side: dict[str, list[str]] = attrs.field(factory=dict)
    asked: list[Receiver] = attrs.field(factory=list)

    def workspace_variables(self) -> Iterable[str]:
        return list(self.workspace)

    def global_names(self) -> Iterable[str]:
        return ["Object", "OrderedCollection", "String", "Smalltalk", "Transcript", "Set"]

    def class_of_variable(self, name: str) -> str | None:
        return self.workspace.get(name)

    def is_class_name(self, name: str) -> bool:
        return name in self.global_names()

    def selectors_of(self, receiver: Receiver) -> Iterable[str] | None:
        self.asked.append(receiver)
        table = self.class_side if receiver.class_side else self.selectors
        return table.get(receiver.class_name)

    def all_selectors(self) -> Iterable[str]:
        everything = {s for sels in self.selectors.values() for s in sels}
        return everything | {s for sels in self.class_side.values() for s in sels}


STRING = ["asUppercase", "asUppercase:", "asLowercase", "size", "asSymbol", "reversed", "at:",
          "at:put:", "asUpperCamel"]
NAMES = Names(
    workspace={"total": "SmallInteger", "coll": "OrderedCollection",
               "k": "OrderedCollection class"},
    selectors={
        "ByteString": STRING,
        "SmallInteger": ["factorial", "printString", "+", "isPrime", "printString:"],
        "OrderedCollection": ["add:", "addAll:", "at:", "at:put:", "first", "inject:into:"],
        "Dictionary": ["at:ifAbsent:", "at:put:", "keys"],
    },
    class_side={"OrderedCollection": ["new", "new:", "with:", "with:with:"]},
)


def texts(code: str, cursor: int | None = None, limit: int = 50) -> list[str]:
    return [c.text for c in complete(code, cursor, NAMES, limit).completions]


def test_string_literal_receiver_offers_its_selectors() -> None:
    result = complete("'abc' asUpp", None, NAMES)
    assert result.prefix == "asUpp"
    assert [c.text for c in result.completions][:3] == ["asUppercase", "asUpperCamel",
                                                        "asUppercase:"]
    assert all(c.kind == "selector" for c in result.completions)
    assert NAMES.asked[-1] == Receiver("ByteString")


def test_number_literal_variable_and_class_receivers() -> None:
    assert texts("30 fac") == ["factorial"]
    assert texts("total print") == ["printString", "printString:"]
    assert texts("coll ad") == ["add:", "addAll:"]
    assert texts("OrderedCollection ne") == ["new", "new:"]
    assert texts("k wi") == ["with:", "with:with:"]  # a variable holding a class


def test_unknown_receiver_falls_back_to_every_selector() -> None:
    # `reversed` answers something of unknown class: all selectors that match.
    found = texts("'abc' reversed asUpp")
    assert "asUppercase" in found
    assert texts("(3 + 4) fact") == ["factorial"]


def test_keyword_continuation_offers_the_next_part() -> None:
    result = complete("coll at: 1 pu", None, NAMES)
    assert result.completions[0].text == "put:" and result.completions[0].kind == "keyword"
    assert complete("coll at: 1 ", None, NAMES).completions[0].kind == "keyword"


def test_expression_position_offers_variables_temporaries_and_classes() -> None:
    result = complete("| alpha beta | alpha := 3. [:each | each + be", None, NAMES)
    assert [(c.text, c.kind) for c in result.completions] == [("beta", "variable")]
    assert texts("| alpha | al") == ["alpha"]
    assert texts("x := to") == ["total"]
    assert texts("[:each | ea") == ["each"]
    assert texts("Ord") == ["OrderedCollection"]
    found = complete("S", None, NAMES).completions
    assert [(c.text, c.kind) for c in found] == [
        ("Set", "class"), ("String", "class"), ("Smalltalk", "class"),
        ("self", "variable"), ("super", "variable"),
    ]
    assert "self" in texts("coll add: se")


def test_cursor_in_the_middle_and_inside_strings() -> None:
    code = "'abc' asUpp. 3 + 4"
    assert texts(code, cursor=len("'abc' asUpp"))[0] == "asUppercase"
    assert texts("'abc asUpp") == []  # still inside the string
    assert texts("\"a comment asUpp") == []


def test_rank_prefers_exact_case_then_shorter_and_caps() -> None:
    names = ["Asymbol", "asUppercase", "as", "asSymbol", "asZ"]
    assert rank("as", names, 10) == ["asZ", "asSymbol", "asUppercase", "Asymbol"]
    assert rank("as", names, 2) == ["asZ", "asSymbol"]
    assert rank("", ["b", "a", "b"], 10) == ["a", "b"]
    assert len(texts("", limit=3)) <= 3
