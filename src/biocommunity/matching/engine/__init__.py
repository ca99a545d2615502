"""The matching engine: plain Python and numpy, no Django, so eval and bench use it directly.

``analysis`` turns bilingual text into lexical tokens and glossary concepts, ``lexical`` ranks
with BM25, ``dense`` with sentence embeddings, ``fusion`` combines the two and ``index`` holds a
searchable collection of profiles with structured filters applied before ranking.
"""
