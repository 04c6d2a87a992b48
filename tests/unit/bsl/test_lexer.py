"""The token stream the rule engine builds on, and the parser's code view."""

from __future__ import annotations

from onec_analysis.bsl.lexer import Token, code_view, tokenize

SOURCE = '''&НаКлиенте
Процедура П(Знач А) Экспорт // комментарий "не строка"
	Т = "Он сказал ""да""" + "
	|ВЫБРАТЬ // внутри строки
	//| закомментированная строка запроса
	|	1";
	Д = '20240101'; ~Метка: Б = А <> 1.5;
КонецПроцедуры
'''


def test_tokens_with_kind_text_line_and_column() -> None:
    tokens = list(tokenize(SOURCE))
    assert tokens[:12] == [
        Token("annotation", "&НаКлиенте", 1, 1),
        Token("keyword", "Процедура", 2, 1),
        Token("identifier", "П", 2, 11),
        Token("operator", "(", 2, 12),
        Token("keyword", "Знач", 2, 13),
        Token("identifier", "А", 2, 18),
        Token("operator", ")", 2, 19),
        Token("keyword", "Экспорт", 2, 21),
        Token("identifier", "Т", 3, 2),
        Token("operator", "=", 3, 4),
        Token("string", '"Он сказал ""да"""', 3, 6),
        Token("operator", "+", 3, 25),
    ]
    multi_line = tokens[12]
    assert (multi_line.kind, multi_line.line, multi_line.column) == ("string", 3, 27)
    assert multi_line.text.endswith('|\t1"') and multi_line.text.count("\n") == 3
    # After a multi-line literal, lines and columns continue from where it ended.
    assert tokens[13:] == [
        Token("operator", ";", 6, 6),
        Token("identifier", "Д", 7, 2),
        Token("operator", "=", 7, 4),
        Token("date", "'20240101'", 7, 6),
        Token("operator", ";", 7, 16),
        Token("label", "~Метка", 7, 18),
        Token("operator", ":", 7, 24),
        Token("identifier", "Б", 7, 26),
        Token("operator", "=", 7, 28),
        Token("identifier", "А", 7, 30),
        Token("operator", "<>", 7, 32),
        Token("number", "1.5", 7, 35),
        Token("operator", ";", 7, 38),
        Token("keyword", "КонецПроцедуры", 8, 1),
    ]


def test_comments_on_request() -> None:
    comments = [t for t in tokenize(SOURCE, keep_comments=True) if t.kind == "comment"]
    assert comments == [Token("comment", '// комментарий "не строка"', 2, 29)]


def test_code_view_keeps_lines_and_sets_literals_aside() -> None:
    view = code_view(SOURCE)
    assert view.code.count("\n") == SOURCE.count("\n")
    assert "комментарий" not in view.code and "ВЫБРАТЬ" not in view.code
    assert [(s.line, s.text[:8]) for s in view.strings] == [(3, '"Он сказ'), (3, '"\n\t|ВЫБР')]
    assert view.annotations == [(1, "&НаКлиенте")]
    assert view.code.splitlines()[2] == '\tТ = "0" + "1'
