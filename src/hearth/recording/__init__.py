"""Recording quality: advice on the language of chronology entries and toolkit forms.

Plain Python (no models): the analyser flags vague, euphemistic and minimising phrases, missing
impact statements and a missing child's voice, so that practitioners can write what they saw.
"""
