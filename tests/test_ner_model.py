"""The shipped entity tagger (kg/models/ner_crf.crfsuite): it loads offline from the package and tags
real-looking sentences. Trained by scripts/train_ner.py; see kg/models/README.md."""

from kg import ner_model


def _spans(text):
    return {(text[s:e], label) for s, e, label in ner_model.tag(text)}


def test_weights_are_shipped_and_small():
    assert ner_model.MODEL_FILE.is_file()
    assert ner_model.MODEL_FILE.stat().st_size <= 30 * 1024 * 1024
    assert ner_model.meta()["features"] in ("base", "jieba", "lattice")


def test_title_then_person():
    spans = _spans("市委书记张三出席会议。")
    assert ("张三", "PER") in spans
    assert any(label == "TITLE" and "书记" in t for t, label in spans)


def test_person_at_sentence_start_and_bodies():
    text = "高勇，男，1966年出生，现任杭州市人民政府副市长、浙江省交通投资集团有限公司董事长。"
    spans = _spans(text)
    assert ("高勇", "PER") in spans
    assert ("副市长", "TITLE") in spans or ("杭州市人民政府副市长", "TITLE") in spans
    assert ("浙江省交通投资集团有限公司", "ORG") in spans


def test_places_and_offsets_in_a_long_text():
    sentence = "国务院总理李强在北京会见了新加坡总统。"
    text = "\n".join([sentence] * 30)
    spans = ner_model.tag(text)
    assert all(0 <= s < e <= len(text) and label in ner_model.LABELS for s, e, label in spans)
    found = {(text[s:e], label) for s, e, label in spans}
    assert ("李强", "PER") in found and ("北京", "LOC") in found
    # the same spans in every copy of the sentence, at the right offsets
    per = [s for s, e, label in spans if text[s:e] == "李强"]
    assert per == [k * (len(sentence) + 1) + 5 for k in range(30)]


def test_empty_and_blank():
    assert ner_model.tag("") == []
    assert ner_model.tag("  \n ") == []


def test_org_kind_by_head_word():
    assert ner_model.org_kind("杭州市发展和改革委员会") == "GovernmentBody"
    assert ner_model.org_kind("浙江省交通投资集团有限公司") == "Enterprise"
    assert ner_model.org_kind("浙江大学") == "Institution"
    assert ner_model.org_kind("红十字") == "Organization"
