"""Turn the raw text of a web article into a source: split it, then propose its definitions.

A moderator pastes (or the importsource command reads) an article as scraped from the web: a title
near the top, the body, then reader comments, with debris such as share links, "Posted in …",
dates, bullets, "Leave a Reply". `parse_article` splits that into title, date, body and comments;
`propose` ranks the body's sentences that define each term of the comparison, and proposes the
axis of the distinction and the dimensions the text speaks to.

Everything here is plain Python on strings (no database, no model, no network) and rule-based, so
it runs in milliseconds on any article, and the admin, the command and the tests share it. The
rules describe how people write definitions ("X is …", "X refers to …", "In X the …"), never the
shipped articles: the same code must work on articles it has never seen.
"""
