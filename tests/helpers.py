"""Helpers that several test modules share."""


def by_question(mapping, default=0):
    """pick() by (indicator key, nth question of it), indicator key or stage number.

    Values are option indexes (0 = least aligned); None is "I don't know".
    """
    seen = {}

    def pick(question):
        key = question.indicator.key
        asked = seen.setdefault(key, [])
        if question.pk not in asked:
            asked.append(question.pk)
        for choice in ((key, asked.index(question.pk)), key, question.indicator.stage.number):
            if choice in mapping:
                index = mapping[choice]
                break
        else:
            index = default
        return None if index is None else list(question.options.all())[index]

    return pick
