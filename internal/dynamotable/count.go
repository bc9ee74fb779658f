package dynamotable

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// countPageSize is the Limit of each Scan page of CountImages.
const countPageSize = 500

// CountImages implements service.FaceTable with a Scan of the whole table,
// page by page (the SDK's paginator), counting the image items by Status.
// Its cost grows with the table: every item is read once.
func (t *Table) CountImages(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	pages := dynamodb.NewScanPaginator(t.api, &dynamodb.ScanInput{TableName: aws.String(t.name), Limit: aws.Int32(countPageSize)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		var its []struct {
			ItemType string `dynamodbav:"ItemType"`
			Status   string `dynamodbav:"Status"`
		}
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &its); err != nil {
			return nil, fmt.Errorf("decode items: %w", err)
		}
		for _, it := range its {
			if it.ItemType == typeImage {
				counts[it.Status]++
			}
		}
	}
	return counts, nil
}
