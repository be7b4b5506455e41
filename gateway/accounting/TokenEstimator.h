#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QStringView>

// Conservative token counts without a tokenizer: used to reserve a request's worst case against
// budgets before it is forwarded, and to bill a response whose upstream reported no usage. Every
// rule leans high, because an estimate that is too low lets a budget be overspent; the real usage
// reported by the upstream replaces the estimate when there is one.
//
// Text (estimateText), per character or per run of characters:
//   - ASCII letters: one token per 3 in each run of letters, rounded up (so every word costs >= 1);
//   - every other letter or mark (accented Latin, Cyrillic, Greek, Arabic, Han, Hiragana, Katakana,
//     Hangul, ...): one token each; such letters do not break a run of ASCII letters ("naïve" = 3);
//   - digits: one token per 2 in each run of digits, rounded up;
//   - punctuation, math and currency symbols, control characters: one token each;
//   - other symbols (emoji and dingbats in the Basic Multilingual Plane, ©, °) and every character
//     outside it (most emoji, rare Han): two tokens each; joiners and variation selectors one each;
//   - whitespace: each line break one token; other blanks are free when one space precedes a word
//     or punctuation (tokenizers glue it on), otherwise one token per 4, rounded up (indentation,
//     a space before a number, trailing blanks).
// On the reference samples in the tests (counts from OpenAI's cl100k tokenizer) this gives between
// 1 and 2 times the real count: about 1.5 times for English prose, the real count for Japanese.
// Tokenizers that split numbers into single digits (Llama, Qwen) can exceed the digit rule on long
// numbers; rare Han characters can cost more than one token each.
//
// Requests add what the provider puts around the text:
//   - OpenAI (chat "messages", legacy "prompt", embeddings or Responses "input", "instructions"):
//     PerRequestTokens once, PerMessageTokens per message; the message name (+1), its content
//     (string, or parts: text counted as text, images OpenAiImageTokens each, audio and files
//     OtherMediaTokens each), tool calls and their ids as JSON text; "tools"/"functions" and a
//     JSON schema in "response_format" as JSON text.
//   - Anthropic: PerRequestTokens once; "system" (string or text blocks) plus PerMessageTokens;
//     PerMessageTokens per message plus its content (string or blocks: text, thinking, tool_use name
//     and input JSON, tool_result content, images AnthropicImageTokens, documents
//     AnthropicDocumentTokens unless plain text, anything else as JSON text); "tools" as JSON text
//     plus AnthropicToolPromptTokens for the system prompt Anthropic adds when tools are present.
class TokenEstimator
{
public:
    // The largest an OpenAI high-detail image costs (85 + 8 tiles of 170), rounded up.
    static constexpr qint64 OpenAiImageTokens = 1'500;
    // Anthropic's images are scaled to at most about 1.15 megapixels, about 1,600 tokens.
    static constexpr qint64 AnthropicImageTokens = 1'600;
    // One PDF document, text and page image, about one page; longer PDFs are settled from real usage.
    static constexpr qint64 AnthropicDocumentTokens = 3'000;
    // Audio and file parts, whose length the request does not tell cheaply.
    static constexpr qint64 OtherMediaTokens = 1'000;
    // Role and separators around each message.
    static constexpr qint64 PerMessageTokens = 4;
    // The start of the assistant's reply the provider adds to every prompt.
    static constexpr qint64 PerRequestTokens = 3;
    // The tool-use system prompt Anthropic adds when "tools" is not empty (313-346 published).
    static constexpr qint64 AnthropicToolPromptTokens = 350;

    static qint64 estimateText(QStringView text);
    // A JSON value as the model reads it: strings as text, anything else as its compact JSON text.
    static qint64 estimateJson(const QJsonValue &value);
    static qint64 estimateOpenAiRequest(const QJsonObject &body);
    static qint64 estimateAnthropicRequest(const QJsonObject &body);

private:
    static qint64 openAiContent(const QJsonValue &content);
    static qint64 openAiItem(const QJsonValue &item);
    static qint64 anthropicContent(const QJsonValue &content);
    static qint64 anthropicBlock(const QJsonObject &block);
};
