from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("records", "0006_drop_redundant_event_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="dataversion",
            name="token",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
    ]
