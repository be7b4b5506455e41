#pragma once

#include <QJsonArray>
#include <QJsonValue>
#include <QStringView>

// The simulator's own token count for prompts. No real tokenizer: a rule simple enough for a user
// to count by hand and a test to assert exactly (documented in docs/simulator.md):
//   - a run of letters and digits is one token ("hello", "GPT4", "2024");
//   - each CJK character (Han, kana, Hangul) is one token;
//   - each other character that is not white space is one token ("," "!" "{");
//   - white space is free.
// A prompt costs 3 tokens, plus per message 4 tokens and the tokens of every string in it except
// the values of "role" and "type"; an Anthropic `system` prompt counts as one more message;
// tool definitions count as the tokens of their compact JSON text.
class SimulatorTokenizer
{
public:
    static constexpr int kPromptOverhead = 3;
    static constexpr int kMessageOverhead = 4;

    static int countText(QStringView text);
    // Every string inside a JSON value, skipping "role" and "type" values.
    static int countValue(const QJsonValue &value);
    // The whole prompt: messages, an optional system prompt (null when absent) and optional tools.
    static int countPrompt(const QJsonArray &messages, const QJsonValue &system, const QJsonValue &tools);

private:
    static bool isCjk(char32_t c);
};
