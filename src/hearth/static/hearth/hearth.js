import { initAll } from '../govuk/govuk-frontend.min.js'
initAll()

// Recording advice as the practitioner types: vague or diluting phrases, missing impact or voice.
// Advice only: it never blocks saving. Flags are rendered with textContent (never as HTML).
const ADVICE_URL = '/api/v1/recording/analyse/'

function renderAdvice (box, flags) {
  box.replaceChildren()
  if (!flags.length) return
  const inset = document.createElement('div')
  inset.className = 'govuk-inset-text hearth-advice__box'
  const title = document.createElement('p')
  title.className = 'govuk-body-s govuk-!-font-weight-bold govuk-!-margin-bottom-1'
  title.textContent = 'Recording advice (it does not stop you saving)'
  const list = document.createElement('ul')
  list.className = 'govuk-list govuk-list--bullet govuk-body-s'
  for (const flag of flags) {
    const item = document.createElement('li')
    if (flag.phrase) {
      const phrase = document.createElement('strong')
      phrase.textContent = '\u201c' + flag.phrase + '\u201d'
      item.append(phrase, ': ')
    }
    item.append(flag.prompt)
    list.append(item)
  }
  inset.append(title, list)
  box.append(inset)
}

for (const box of document.querySelectorAll('[data-advice-for]')) {
  const form = box.closest('form')
  const field = form && form.querySelector(`textarea[name="${box.dataset.adviceFor}"]`)
  const token = form && form.querySelector('input[name="csrfmiddlewaretoken"]')
  if (!field || !token) continue
  let timer
  field.addEventListener('input', () => {
    clearTimeout(timer)
    timer = setTimeout(async () => {
      const response = await fetch(ADVICE_URL, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token.value },
        body: JSON.stringify({
          text: field.value,
          expect_impact: box.dataset.expectImpact === 'true',
          expect_child_voice: box.dataset.expectChildVoice === 'true'
        })
      })
      if (response.ok) renderAdvice(box, (await response.json()).flags)
    }, 500)
  })
}
