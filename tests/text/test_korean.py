"""Korean morphemes (Kiwi) as a Tokenizer analyzer: analyses worked out by hand (stem,
particles and endings apart), tags, saving with the tokenizer, and the message when the
korean extra is missing."""
import sys

import pytest

from seqlab.text import KoreanAnalyzer, Tokenizer, korean_morphemes, tokenizer_from_json

# Worked out by hand with the Sejong tag set Kiwi uses: 재미(NNG noun "fun") 없(VA "to lack")
# 는(ETM adnominal ending) 거(NNB bound noun "thing") 같(VA "to seem") 다(EF final ending).
HAND = [
    ("재미없는거같다", ["재미/NNG", "없/VA", "는/ETM", "거/NNB", "같/VA", "다/EF"]),
    ("이 영화 정말 좋아요", ["이/MM", "영화/NNG", "정말/MAG", "좋/VA", "어요/EF"]),
    # 했다 = 하(VV "to do") + 었(EP past) + 다(EF), contracted; 들 is the plural suffix.
    ("배우들이 연기를 했다.", ["배우/NNG", "들/XSN", "이/JKS", "연기/NNG", "를/JKO", "하/VV",
                          "었/EP", "다/EF", "./SF"]),
]


@pytest.mark.parametrize("text, expected", HAND)
def test_morphemes_with_tags_match_the_hand_analysis(text, expected):
    assert KoreanAnalyzer(tags=True)(text) == expected


@pytest.mark.parametrize("text, expected", HAND)
def test_morphemes_without_tags_are_the_forms(text, expected):
    assert korean_morphemes(text) == [m.split("/")[0] for m in expected]


def test_latin_letters_are_lowercased_unless_asked():
    assert korean_morphemes("OST 최고") == ["ost", "최고"]
    assert korean_morphemes("OST 최고", lower=False) == ["OST", "최고"]


def test_as_a_tokenizer_analyzer_particles_become_shared_tokens():
    tokenizer = Tokenizer(oov_token="<OOV>", analyzer=KoreanAnalyzer())
    tokenizer.fit_on_texts(["영화가 좋다", "영화는 별로다"])
    # Split on spaces these are four different words; as morphemes 영화 and 다 are shared.
    assert tokenizer.word_index["영화"] == 2 and tokenizer.word_index["다"] == 3
    assert tokenizer.texts_to_sequences(["영화를 봤다"])[0][0] == 2


def test_the_analyzer_is_saved_with_the_tokenizer():
    tokenizer = Tokenizer(num_words=50, oov_token="<OOV>", analyzer=KoreanAnalyzer(tags=True))
    tokenizer.fit_on_texts([text for text, _ in HAND])
    restored = tokenizer_from_json(tokenizer.to_json())
    assert restored.analyzer == KoreanAnalyzer(tags=True)
    assert restored.texts_to_sequences(["정말 재미없다"]) == \
        tokenizer.texts_to_sequences(["정말 재미없다"])


def test_bad_arguments():
    with pytest.raises(TypeError, match="tags='yes'"):
        KoreanAnalyzer(tags="yes")
    with pytest.raises(TypeError, match="takes a text"):
        korean_morphemes(b"bytes")


def test_missing_kiwipiepy_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "kiwipiepy", None)  # import raises ImportError
    with pytest.raises(ImportError, match=r'pip install "seqlab\[korean\]"'):
        KoreanAnalyzer()
